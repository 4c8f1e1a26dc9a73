// Runs every shared `preempt` case through the library (`decide`) and through the CLI
// (`fairsched schedule FILE --json`), counting the preempted tasks of each job.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Decision } from "../src/decision.js";
import { decide } from "../src/scheduler.js";
import { sharedFileAvailable, sharedPath } from "./shared-data.js";

const CASES = sharedPath("cases/preempt");
const REPO = fileURLToPath(new URL("..", import.meta.url));

interface PreemptCase {
  what: string;
  snapshot: unknown;
  expect: { preemptedTasks?: Record<string, number> };
}

const present = sharedFileAvailable(CASES);
const files = present ? readdirSync(CASES).filter((f) => f.endsWith(".yaml")).sort() : [];

function preemptedOf(decision: Pick<Decision, "preemptions">, job: string): number {
  return decision.preemptions.filter((p) => p.job === job).length;
}

describe.runIf(present)("preempt cases through decide", () => {
  describe.each(files)("%s", (file) => {
    const text = readFileSync(join(CASES, file), "utf8");
    const preemptCase = parse(text) as PreemptCase;
    let decision: Decision | undefined;
    const decisionOf = () => (decision ??= decide(parseSnapshot(text, join(CASES, file), CASES, { at: "snapshot" })));

    test.each(Object.entries(preemptCase.expect.preemptedTasks ?? {}))("preempts %s: %i task(s)", (job, count) => {
      expect(preemptedOf(decisionOf(), job)).toBe(count);
    });

    test("every preemption names its reason", () => {
      for (const preemption of decisionOf().preemptions) expect(preemption.reason).toMatch(/^root\.\S+ below /);
    });
  });
});

describe.runIf(present)("preempt cases through the CLI", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fairsched-preempt-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe.each(files)("%s", (file) => {
    const preemptCase = parse(readFileSync(join(CASES, file), "utf8")) as PreemptCase;
    let run: SpawnSyncReturns<string> | undefined;
    // Runs the CLI once per case, on first use, with the snapshot alone in a JSON file.
    const runCli = () => {
      if (run) return run;
      const path = join(scratch, file.replace(/\.yaml$/, ".json"));
      writeFileSync(path, JSON.stringify(preemptCase.snapshot));
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

    test.each(Object.entries(preemptCase.expect.preemptedTasks ?? {}))("preempts %s: %i task(s)", (job, count) => {
      const output = JSON.parse(runCli().stdout) as Decision;
      expect(preemptedOf(output, job)).toBe(count);
    });
  });
});
