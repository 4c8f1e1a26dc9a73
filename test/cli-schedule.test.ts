// The readable and JSON output of `fairsched schedule`: grouped lines and the documented fields.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { fairsched } from "./cli-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "fairsched-cli-schedule-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSnapshot(name: string, snapshot: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

const TASK = { memory: 1024, vcores: 1 };

/** Queue a uses both nodes whole; its sibling b starves, so the pass preempts 4 of a's tasks. */
const PREEMPT = writeSnapshot("preempt.json", {
  version: 1,
  time: 10,
  resources: ["memory", "vcores"],
  nodes: [{ name: "n", count: 2, capacity: { memory: 4096, vcores: 4 } }],
  queues: [
    { name: "root.shared", fairSharePreemptionThreshold: 1.0, fairSharePreemptionTimeout: 0 },
    { name: "root.shared.a" },
    { name: "root.shared.b" },
  ],
  jobs: [
    {
      name: "greedy",
      queue: "root.shared.a",
      user: "u1",
      submitTime: 0,
      tasks: [],
      allocations: [
        { node: "n-0", request: TASK, count: 4, startTime: 0 },
        { node: "n-1", request: TASK, count: 4, startTime: 0 },
      ],
    },
    { name: "starving", queue: "root.shared.b", user: "u2", submitTime: 0, tasks: [{ request: TASK, count: 4 }] },
  ],
});

/** One GPU node and one CPU node, so placements with and without a GPU type. */
const PLACE = writeSnapshot("place.json", {
  version: 1,
  resources: ["memory", "vcores", "gpu"],
  nodes: [
    { name: "gpu-node", capacity: { memory: 8192, vcores: 8, gpu: 2 }, gpuType: "V100" },
    { name: "cpu-node", capacity: { memory: 8192, vcores: 8 } },
  ],
  queues: [{ name: "root.a" }],
  jobs: [
    { name: "trainer", queue: "root.a", user: "u", submitTime: 0, tasks: [{ request: { ...TASK, gpu: 1 }, count: 2 }] },
    { name: "etl", queue: "root.a", user: "u", submitTime: 0, tasks: [{ request: { memory: 8192, vcores: 1 }, count: 1 }] },
  ],
});

describe("schedule readable output", () => {
  const run = fairsched("schedule", PREEMPT);
  const lines = run.stdout.split("\n");

  it("exits 0", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("counts preempted tasks", () => {
    expect(lines).toContain("preempt 4 task(s)");
  });

  it("groups identical preemptions", () => {
    const preemptions = lines.filter((line) => line.startsWith("  greedy on "));
    expect(preemptions).toHaveLength(new Set(preemptions).size);
    const counts = preemptions.map((line) => Number(/: (\d+) x \(/.exec(line)?.[1]));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(4);
  });

  it("groups identical placements", () => {
    const placed = fairsched("schedule", PLACE).stdout.split("\n");
    expect(placed).toContain("  trainer -> gpu-node: 2 x (memory 1024, vcores 1, gpu 1)");
  });
});

describe("schedule --json", () => {
  const help = fairsched("schedule", "--help").stdout;
  const decision = JSON.parse(fairsched("schedule", PLACE, "--json").stdout) as { placements: Record<string, unknown>[] };

  it("help lists every placement field", () => {
    const fields = new Set(decision.placements.flatMap((p) => Object.keys(p)));
    expect([...fields].sort()).toEqual(["gpuType", "job", "node", "request", "task"]);
    for (const field of fields) expect(help).toMatch(new RegExp(`\\b${field}\\b`));
  });

  it("omits gpuType on nodes without GPUs", () => {
    const etl = decision.placements.find((p) => p.job === "etl");
    expect(etl).toBeDefined();
    expect(etl).not.toHaveProperty("gpuType");
  });
});

describe("schedule --locality-threshold", () => {
  it.each(["2", "-0.1", "abc"])("rejects %s", (value) => {
    const run = fairsched("schedule", PREEMPT, "--locality-threshold", value);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--locality-threshold");
    expect(run.stderr).toContain(`"${value}"`);
  });
});

describe("schedule --json queue clocks", () => {
  const first = JSON.parse(fairsched("schedule", PREEMPT, "--json").stdout);

  it("reports a clock for every queue", () => {
    expect(first.queues.map((q: { name: string }) => q.name).sort()).toEqual(["root", "root.shared", "root.shared.a", "root.shared.b"]);
  });

  it("starts the starved queue's clock", () => {
    const starved = first.queues.find((q: { name: string }) => q.name === "root.shared.b");
    expect(starved.belowFairShareSince).toBe(10);
  });

  it("accepts the clocks back in the next snapshot", () => {
    const snapshot = JSON.parse(readFileSync(PREEMPT, "utf8"));
    snapshot.time = 20;
    snapshot.queues = first.queues.filter((q: { name: string }) => q.name !== "root").map((clock: Record<string, unknown>) => ({
      ...snapshot.queues.find((q: { name: string }) => q.name === clock.name),
      ...clock,
    }));
    const next = fairsched("schedule", writeSnapshot("preempt-next.json", snapshot), "--json");

    expect(next.stderr).toBe("");
    expect(next.status).toBe(0);
    expect(JSON.parse(next.stdout).queues.find((q: { name: string }) => q.name === "root.shared.b").belowFairShareSince).toBe(10);
  });
});
