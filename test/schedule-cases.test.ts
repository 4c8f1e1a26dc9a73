// Runs every shared `schedule` case through the library (`decide`) and through the CLI
// (`fairsched schedule FILE --json`), checking placed task counts and pending jobs.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Decision } from "../src/decision.js";
import { decide } from "../src/scheduler.js";
import { sharedPath } from "./shared-data.js";

const CASES = sharedPath("cases/schedule");
const REPO = fileURLToPath(new URL("..", import.meta.url));

interface ScheduleCase {
  what: string;
  expect: {
    placedTasks?: Record<string, number>;
    pending?: string[];
  };
}

const present = existsSync(CASES);
if (!present && process.env.CI === "true") {
  throw new Error(`shared cases not found at ${CASES}; CI must provide them`);
}
const files = present ? readdirSync(CASES).filter((f) => f.endsWith(".yaml")).sort() : [];

function readCase(file: string): { text: string; parsed: ScheduleCase & { snapshot: unknown } } {
  const text = readFileSync(join(CASES, file), "utf8");
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
    const decisionOf = () => (decision ??= decide(parseSnapshot(text, join(CASES, file), CASES, { at: "snapshot" })));
    checkCase(parsed, decisionOf);
  });
});

describe.runIf(present)("schedule cases through the CLI", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fairsched-schedule-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe.each(files)("%s", (file) => {
    const { parsed } = readCase(file);
    let run: SpawnSyncReturns<string> | undefined;
    // Runs the CLI once per case, on first use, with the snapshot alone in a JSON file as the
    // acceptance script does.
    const runCli = () => {
      if (run) return run;
      const path = join(scratch, file.replace(/\.yaml$/, ".json"));
      writeFileSync(path, JSON.stringify(parsed.snapshot));
      run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "schedule", path, "--json"], {
        cwd: REPO,
        encoding: "utf8",
      });
      return run;
    };

    test("exits with status 0", () => {
      expect(runCli().stderr).toBe("");
      expect(runCli().status).toBe(0);
    });
    checkCase(parsed, () => JSON.parse(runCli().stdout) as Decision);
  });
});
