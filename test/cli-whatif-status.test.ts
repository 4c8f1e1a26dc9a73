// Exit status and defaults of `fairsched whatif`: a sweep with timed-out scenarios exits 1
// but still prints the table and writes the JSON.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { DEFAULT_CLUSTER } from "../src/cli/simulate.js";
import { fairsched } from "./cli-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "fairsched-cli-whatif-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("whatif with timed-out scenarios", () => {
  const json = join(dir, "timeout.json");
  // A 1 ms wall-clock limit stops every scenario: replaying 2,000 jobs takes longer than that.
  const run = fairsched(
    "whatif",
    "--trace", "synthetic:jobs=2000,queues=2,seed=4",
    "--vary", "policy=fair,fifo",
    "--workers", "2",
    "--time-limit", "0.001",
    "--json", json,
  );

  it("exits 1", () => {
    expect(run.status).toBe(1);
  });

  it("reports timed-out scenarios", () => {
    expect(run.stderr).toContain("2 of 2 scenarios failed or timed out");
  });

  it("still prints the table", () => {
    expect(run.stdout).toContain("0 of 2 scenarios finished");
  });

  it("still writes the JSON", () => {
    expect(existsSync(json)).toBe(true);
    const document = JSON.parse(readFileSync(json, "utf8")) as { scenarios: { status: string }[] };
    expect(document.scenarios.map((s) => s.status)).toEqual(["timeout", "timeout"]);
  });
});

describe("whatif help", () => {
  const help = fairsched("whatif", "--help").stdout;

  it("documents exit status 1", () => {
    expect(help).toMatch(/^ {2}1 +a scenario failed or timed out/m);
  });

  it("defaults to simulate's cluster", () => {
    expect(help.replace(/\s+/g, " ")).toContain(`(default: "${DEFAULT_CLUSTER}")`);
  });
});
