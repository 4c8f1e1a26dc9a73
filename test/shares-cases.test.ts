// Runs every shared `shares` case through the library (`computeShares`) and through the CLI
// (`fairsched shares FILE --json`), comparing fair shares within each case's tolerance.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../src/config/index.js";
import type { Snapshot } from "../src/model/types.js";
import { computeShares } from "../src/shares.js";
import { sharedPath } from "./shared-data.js";

const CASES = sharedPath("cases/shares");
const REPO = fileURLToPath(new URL("..", import.meta.url));

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

const present = existsSync(CASES);
if (!present && process.env.CI === "true") {
  throw new Error(`shared cases not found at ${CASES}; CI must provide them`);
}
const files = present ? readdirSync(CASES).filter((f) => f.endsWith(".yaml")).sort() : [];

function readCase(file: string): ShareCase {
  return parse(readFileSync(join(CASES, file), "utf8")) as ShareCase;
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
    const text = readFileSync(join(CASES, file), "utf8");
    const reports = computeShares(parseSnapshot(text, join(CASES, file), CASES, { at: "snapshot" }));

    test.each(expectations(shareCase))("$kind of $queue.$dimension is $value", (e) => {
      const report = reports.find((r) => r.name === e.queue);
      expect(report, `queue ${e.queue} in the report`).toBeDefined();
      expect(Math.abs(report![e.kind][e.dimension] - e.value)).toBeLessThanOrEqual(e.tolerance + 1e-9);
    });
  });
});

describe.runIf(present)("shares cases through the CLI", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fairsched-shares-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe.each(files)("%s", (file) => {
    const shareCase = readCase(file);
    let run: SpawnSyncReturns<string> | undefined;
    // Runs the CLI once per case, on first use, as the acceptance script does: the snapshot
    // alone in a JSON file.
    const runCli = () => {
      if (run) return run;
      const path = join(scratch, file.replace(/\.yaml$/, ".json"));
      writeFileSync(path, JSON.stringify(shareCase.snapshot));
      run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "shares", path, "--json"], {
        cwd: REPO,
        encoding: "utf8",
      });
      return run;
    };

    test("exits with status 0", () => {
      expect(runCli().stderr).toBe("");
      expect(runCli().status).toBe(0);
    });

    test.each(expectations(shareCase))("$kind of $queue.$dimension is $value", (e) => {
      const output = JSON.parse(runCli().stdout) as { queues: Array<Record<string, unknown>> };
      const queue = output.queues.find((q) => q.name === e.queue) as Record<string, Record<string, number>> | undefined;
      expect(queue, `queue ${e.queue} in the output`).toBeDefined();
      expect(Math.abs(queue![e.kind][e.dimension] - e.value)).toBeLessThanOrEqual(e.tolerance + 1e-9);
    });
  });
});
