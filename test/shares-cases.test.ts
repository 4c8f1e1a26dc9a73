// Runs every shared `shares` case through the library (`computeShares`) and through the CLI
// (`fairsched shares FILE --json`), comparing fair shares within each case's tolerance.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Snapshot } from "../src/model/types.js";
import { computeShares } from "../src/shares.js";
import { caseText, cliRunner, sharedCases } from "./case-cli.js";

const CASES = sharedCases("shares");

interface ShareCase {
  what: string;
  snapshot: Snapshot;
  expect: {
    tolerance?: number;
    fairShare?: Record<string, Record<string, number>>;
    steadyFairShare?: Record<string, Record<string, number>>;
  };
}

interface Expectation {
  queue: string;
  kind: "fairShare" | "steadyFairShare";
  dimension: string;
  value: number;
  tolerance: number;
}

const { present, files } = CASES;

function readCase(file: string): ShareCase {
  return parse(caseText(CASES, file)) as ShareCase;
}

function expectations(shareCase: ShareCase): Expectation[] {
  const tolerance = shareCase.expect.tolerance ?? 0;
  const result: Expectation[] = [];
  for (const kind of ["fairShare", "steadyFairShare"] as const) {
    for (const [queue, amounts] of Object.entries(shareCase.expect[kind] ?? {})) {
      for (const [dimension, value] of Object.entries(amounts)) {
        result.push({ queue, kind, dimension, value, tolerance });
      }
    }
  }
  return result;
}

describe.runIf(present)("shares cases through computeShares", () => {
  describe.each(files)("%s", (file) => {
    const shareCase = readCase(file);
    const text = caseText(CASES, file);
    const reports = computeShares(parseSnapshot(text, join(CASES.dir, file), CASES.dir, { at: "snapshot" }));

    test.each(expectations(shareCase))("$kind of $queue in $dimension is $value", (e) => {
      const report = reports.find((r) => r.name === e.queue);
      expect(report, `queue ${e.queue} in the report`).toBeDefined();
      expect(Math.abs(report![e.kind][e.dimension] - e.value)).toBeLessThanOrEqual(e.tolerance + 1e-9);
    });
  });
});

describe.runIf(present)("shares cases through the CLI", () => {
  const cliRunFor = cliRunner("shares", "fairsched-shares-");

  describe.each(files)("%s", (file) => {
    const shareCase = readCase(file);
    const runCli = cliRunFor(file, shareCase.snapshot);

    test("exits with status 0", () => {
      expect(runCli().stderr).toBe("");
      expect(runCli().status).toBe(0);
    });

    test.each(expectations(shareCase))("$kind of $queue in $dimension is $value", (e) => {
      const output = JSON.parse(runCli().stdout) as { queues: Array<Record<string, unknown>> };
      const queue = output.queues.find((q) => q.name === e.queue) as Record<string, Record<string, number>> | undefined;
      expect(queue, `queue ${e.queue} in the output`).toBeDefined();
      expect(Math.abs(queue![e.kind][e.dimension] - e.value)).toBeLessThanOrEqual(e.tolerance + 1e-9);
    });
  });
});
