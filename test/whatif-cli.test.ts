// The `fairsched whatif` command: the comparison table, --json, --report and input errors.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fairsched-whatif-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function whatif(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "whatif", ...args], { cwd: REPO, encoding: "utf8" });
}

const TRACE = ["--trace", "synthetic:jobs=120,queues=2,seed=4", "--cluster", "v100:16/8"];

describe("fairsched whatif", () => {
  const json = join(dir, "out.json");
  const report = join(dir, "out.html");
  const run = whatif(...TRACE, "--vary", "weight:root.vc1=1,3", "--vary", "policy=fair,fifo", "--workers", "2", "--json", json, "--report", report);

  it("exits 0", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("prints one row per scenario", () => {
    const rows = run.stdout.split("\n").filter((line) => /^\d+\s/.test(line));
    expect(rows).toHaveLength(4);
  });

  it("marks best values", () => {
    expect(run.stdout).toContain("*");
  });

  it("writes every scenario to JSON", () => {
    const document = JSON.parse(readFileSync(json, "utf8")) as { scenarios: { status: string; settings: Record<string, unknown> }[] };
    expect(document.scenarios.map((s) => s.settings)).toEqual([
      { "weight:root.vc1": 1, policy: "fair" },
      { "weight:root.vc1": 1, policy: "fifo" },
      { "weight:root.vc1": 3, policy: "fair" },
      { "weight:root.vc1": 3, policy: "fifo" },
    ]);
  });

  it("writes a self-contained report", () => {
    const html = readFileSync(report, "utf8");
    expect(html).toContain("new Chart(");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe("fairsched whatif errors", () => {
  it.each([
    [["--vary", "speed=1"], /unknown key speed/],
    [["--vary", "weight:root.nope=2"], /queue root.nope not found/],
    [["--vary", "gpus:H100=8"], /no node has GPU type H100/],
    [["--workers", "0"], /invalid --workers value/],
  ])("rejects %j", (args, message) => {
    const run = whatif(...TRACE, ...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
