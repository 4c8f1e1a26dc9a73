// Runs every shared `schedule` case through the library (`decide`) and through the CLI
// (`fairsched schedule FILE --json`), checking placed task counts and pending jobs.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Decision } from "../src/decision.js";
import { decide } from "../src/scheduler.js";
import { caseText, cliRunner, sharedCases } from "./case-cli.js";

const CASES = sharedCases("schedule");

interface ScheduleCase {
  what: string;
  expect: {
    placedTasks?: Record<string, number>;
    pending?: string[];
  };
}

const { present, files } = CASES;

function readCase(file: string): { text: string; parsed: ScheduleCase & { snapshot: unknown } } {
  const text = caseText(CASES, file);
  return { text, parsed: parse(text) };
}

function placedBy(decision: Pick<Decision, "placements">, job: string): number {
  return decision.placements.filter((p) => p.job === job).length;
}

/** Declares the checks of one case against a decision produced on first use. */
function checkCase(scheduleCase: ScheduleCase, decisionOf: () => Pick<Decision, "placements" | "pending">): void {
  test.each(Object.entries(scheduleCase.expect.placedTasks ?? {}))("places %s: %i task(s)", (job, count) => {
    expect(placedBy(decisionOf(), job)).toBe(count);
  });
  test.each(scheduleCase.expect.pending ?? [])("reports %s pending with a reason", (job) => {
    const pending = decisionOf().pending.find((p) => p.job === job);
    expect(pending, `${job} in pending`).toBeDefined();
    expect(pending!.reason.length).toBeGreaterThan(0);
  });
}

describe.runIf(present)("schedule cases through decide", () => {
  describe.each(files)("%s", (file) => {
    const { text, parsed } = readCase(file);
    let decision: Decision | undefined;
    const decisionOf = () => (decision ??= decide(parseSnapshot(text, join(CASES.dir, file), CASES.dir, { at: "snapshot" })));
    checkCase(parsed, decisionOf);
  });
});

describe.runIf(present)("schedule cases through the CLI", () => {
  const cliRunFor = cliRunner("schedule", "fairsched-schedule-");

  describe.each(files)("%s", (file) => {
    const { parsed } = readCase(file);
    const runCli = cliRunFor(file, parsed.snapshot);

    test("exits with status 0", () => {
      expect(runCli().stderr).toBe("");
      expect(runCli().status).toBe(0);
    });
    checkCase(parsed, () => JSON.parse(runCli().stdout) as Decision);
  });
});
