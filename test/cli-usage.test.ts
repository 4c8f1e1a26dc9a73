// Exit statuses and messages of the `fairsched` command line: usage errors, --help, --version
// and a reader that closes stdout early.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { fairsched, fairschedWithClosedStdout, REPO } from "./cli-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "fairsched-cli-usage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("usage errors", () => {
  it.each([
    [["simulate", "--bogus"], /unknown option '--bogus'/, "Run fairsched simulate --help for usage"],
    [["bogus"], /unknown command 'bogus'/, "Run fairsched --help for usage"],
    [["schedule"], /missing required argument 'snapshot'/, "Run fairsched schedule --help for usage"],
    [["whatif", "--workers"], /option '--workers <count>' argument missing/, "Run fairsched whatif --help for usage"],
  ])("%j exits 2", (args, message, hint) => {
    const run = fairsched(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(hint);
    expect(run.stderr).not.toContain("Options:");
    expect(run.stdout).toBe("");
  });

  it("invalid input exits 2", () => {
    const run = fairsched("simulate", "--preemption", "maybe");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/invalid --preemption value/);
  });
});

describe("help and version", () => {
  it.each([[["--help"]], [["simulate", "--help"]], [["help", "schedule"]]])("%j exits 0", (args) => {
    const run = fairsched(...args);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: fairsched/);
  });

  it("--version prints package version", () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    const run = fairsched("--version");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });
});

describe("closed stdout", () => {
  const snapshot = join(dir, "snapshot.json");
  writeFileSync(
    snapshot,
    JSON.stringify({
      version: 1,
      resources: ["memory", "vcores"],
      nodes: [{ name: "n", capacity: { memory: 4096, vcores: 4 } }],
      queues: [{ name: "root.a" }],
      jobs: [{ name: "j", queue: "root.a", user: "u", submitTime: 0, tasks: [{ request: { memory: 1024, vcores: 1 }, count: 2 }] }],
    }),
  );

  it.each([
    [["simulate", "--trace", "synthetic:jobs=50,queues=2,seed=1", "--json"]],
    [["simulate", "--trace", "synthetic:jobs=50,queues=2,seed=1"]],
    [["schedule", snapshot]],
    [["shares", snapshot]],
    [["--help"]],
  ])("%j exits 0 quietly", async (args) => {
    const run = await fairschedWithClosedStdout(...args);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
