// Runs every shared invalid case through the CLI, as the acceptance script does: the command must
// exit with status 2, print nothing on stdout, and name every expected string on stderr.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";

import { sharedFileAvailable, sharedPath } from "./shared-data.js";

const CASES = sharedPath("cases/invalid");
const CLI = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/gpu-cluster.yaml", import.meta.url));
const present = sharedFileAvailable(CASES);
const files = present ? readdirSync(CASES).filter((f) => f.endsWith(".yaml")).sort() : [];

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe.runIf(present)("invalid cases through the CLI", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fairsched-invalid-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test.each(files)("%s is rejected", (file) => {
    const invalidCase = parse(readFileSync(join(CASES, file), "utf8"));
    const snapshot = join(scratch, file.replace(/\.yaml$/, ".json"));
    writeFileSync(snapshot, JSON.stringify(invalidCase.snapshot));

    const run = runCli([invalidCase.command, snapshot, "--json"]);

    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe("");
    for (const expected of invalidCase.expect.error as unknown[]) {
      expect(run.stderr, `message names ${String(expected)}`).toContain(String(expected));
    }
  });

  test("malformed allocation file names line and element", () => {
    const run = runCli(["shares", EXAMPLE, "--config", join(CASES, "malformed-allocation.xml")]);

    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain("malformed-allocation.xml:8");
    expect(run.stderr).toContain("<weight>");
    expect(run.stderr).toContain("malformed-allocation.xml:10");
    expect(run.stderr).toContain("<allocations>");
  });
});
