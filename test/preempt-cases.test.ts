// Runs every shared `preempt` case through the library (`decide`) and through the CLI
// (`fairsched schedule FILE --json`), counting the preempted tasks of each job.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Decision } from "../src/decision.js";
import { decide } from "../src/scheduler.js";
import { caseText, cliRunner, sharedCases } from "./case-cli.js";

const CASES = sharedCases("preempt");

interface PreemptCase {
  what: string;
  snapshot: unknown;
  expect: { preemptedTasks?: Record<string, number> };
}

const { present, files } = CASES;

function preemptedOf(decision: Pick<Decision, "preemptions">, job: string): number {
  return decision.preemptions.filter((p) => p.job === job).length;
}

describe.runIf(present)("preempt cases through decide", () => {
  describe.each(files)("%s", (file) => {
    const text = caseText(CASES, file);
    const preemptCase = parse(text) as PreemptCase;
    let decision: Decision | undefined;
    const decisionOf = () => (decision ??= decide(parseSnapshot(text, join(CASES.dir, file), CASES.dir, { at: "snapshot" })));

    test.each(Object.entries(preemptCase.expect.preemptedTasks ?? {}))("preempts %s: %i task(s)", (job, count) => {
      expect(preemptedOf(decisionOf(), job)).toBe(count);
    });

    test("every preemption names its reason", () => {
      for (const preemption of decisionOf().preemptions) expect(preemption.reason).toMatch(/^root\.\S+ below /);
    });
  });
});

describe.runIf(present)("preempt cases through the CLI", () => {
  const cliRunFor = cliRunner("schedule", "fairsched-preempt-");

  describe.each(files)("%s", (file) => {
    const preemptCase = parse(caseText(CASES, file)) as PreemptCase;
    const runCli = cliRunFor(file, preemptCase.snapshot);

    test("exits with status 0", () => {
      expect(runCli().stderr).toBe("");
      expect(runCli().status).toBe(0);
    });

    test.each(Object.entries(preemptCase.expect.preemptedTasks ?? {}))("preempts %s: %i task(s)", (job, count) => {
      const output = JSON.parse(runCli().stdout) as Decision;
      expect(preemptedOf(output, job)).toBe(count);
    });
  });
});
