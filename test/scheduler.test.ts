// Unit tests of the incremental Scheduler: events in, decisions out, state kept across calls.
import { describe, expect, test } from "vitest";

import type { JobSpec, Snapshot } from "../src/model/types.js";
import { Scheduler } from "../src/scheduler.js";

function cluster(nodes = 2): Snapshot {
  return {
    version: 1,
    time: 0,
    resources: ["gpu", "cpu", "memory"],
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `n${i}`,
      capacity: { gpu: 8, cpu: 64, memory: 524288 },
      gpuType: "A100",
      topology: `z/r0/d${i}`,
    })),
    queues: [{ name: "root.a" }, { name: "root.b" }],
    jobs: [],
  };
}

function job(name: string, gpu: number, count: number, extra: Partial<JobSpec> = {}): JobSpec {
  return { name, queue: "root.a", user: "u", submitTime: 0, tasks: [{ request: { gpu, cpu: 1, memory: 1024 }, count }], ...extra };
}

describe("Scheduler", () => {
  test("submit then schedule places tasks", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 4, 3));
    expect(scheduler.schedule().placements.length).toBe(3);
  });

  test("submitted job of a limited user waits", () => {
    const scheduler = Scheduler.fromSnapshot({ ...cluster(), users: { w: { maxRunningApps: 1 } } });
    scheduler.submit(job("a", 1, 1, { user: "w" }));
    scheduler.submit(job("b", 1, 1, { user: "w", submitTime: 1 }));
    expect(scheduler.schedule().pending).toEqual([{ job: "b", reason: "user w is at maxRunningApps (1)" }]);
  });

  test("snapshot keeps user limits", () => {
    const scheduler = Scheduler.fromSnapshot({ ...cluster(), users: { w: { maxRunningApps: 1 } }, userMaxAppsDefault: 3 });
    const { users, userMaxAppsDefault } = scheduler.snapshot();
    expect({ users, userMaxAppsDefault }).toEqual({ users: { w: { maxRunningApps: 1 } }, userMaxAppsDefault: 3 });
  });

  test("gang that lost a node is completed before fresh work", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(3));
    scheduler.submit(job("g", 8, 2, { gang: true, submitTime: 5 }));
    const lostOn = scheduler.schedule().placements[0].node;
    scheduler.submit(job("fill", 8, 1, { queue: "root.b" }));
    scheduler.schedule();
    scheduler.removeNode(lostOn);
    scheduler.addNode({ name: "spare", capacity: { gpu: 8, cpu: 64, memory: 524288 }, gpuType: "A100", topology: "z/r0/d9" });
    scheduler.submit(job("fresh", 8, 1));
    expect(scheduler.schedule().placements.map((p) => p.job)).toEqual(["g"]);
  });

  test("space freed by preemption goes to the starved job", () => {
    const held = { gpu: 4, cpu: 1 };
    const input: Snapshot = {
      version: 1,
      time: 100,
      resources: ["gpu", "cpu"],
      nodes: ["n0", "n1"].map((name) => ({ name, capacity: { gpu: 8, cpu: 32 } })),
      queues: [
        { name: "root.c", weight: 0 },
        { name: "root.p" },
        { name: "root.p.d", weight: 2 },
        { name: "root.p.e", weight: 3, fairSharePreemptionTimeout: 0 },
      ],
      jobs: [
        { name: "run", queue: "root.c", user: "u", submitTime: 0, tasks: [], allocations: ["n0", "n0", "n1", "n1"].map((node) => ({ node, request: held })) },
        { name: "small", queue: "root.p.d", user: "u", submitTime: 50, tasks: [{ request: { gpu: 1, cpu: 1 }, count: 1 }] },
        { name: "starved", queue: "root.p.e", user: "u", submitTime: 50, tasks: [{ request: held, count: 1 }] },
      ],
    };
    const scheduler = Scheduler.fromSnapshot(input);
    const first = scheduler.schedule();
    expect(first.preemptions.map((p) => p.forJob)).toEqual(["starved"]);
    for (const preemption of first.preemptions) scheduler.preemptTask(preemption.task);
    scheduler.setTime(101);
    expect(scheduler.schedule().placements.map((p) => p.job)).toContain("starved");
  });

  test("schedule with nothing changed places nothing", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 3));
    scheduler.schedule();
    expect(scheduler.schedule().placements).toEqual([]);
  });

  test("unchanged schedule keeps pending reasons", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 3));
    scheduler.schedule();
    expect(scheduler.schedule().pending.map((p) => p.job)).toEqual(["a"]);
  });

  test("finished task frees room for pending work", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(1));
    scheduler.submit(job("a", 8, 2));
    const first = scheduler.schedule().placements[0];
    scheduler.finishTask(first.task);
    expect(scheduler.schedule().placements.map((p) => p.job)).toEqual(["a"]);
  });

  test("preempted task returns to pending", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(1));
    scheduler.submit(job("a", 8, 1));
    const placed = scheduler.schedule().placements[0];
    scheduler.preemptTask(placed.task);
    const again = scheduler.schedule().placements;
    expect(again.map((p) => p.job)).toEqual(["a"]);
  });

  test("task ids are unique across passes", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 4, 2));
    const ids = scheduler.schedule().placements.map((p) => p.task);
    scheduler.submit(job("b", 4, 2));
    ids.push(...scheduler.schedule().placements.map((p) => p.task));
    expect(new Set(ids).size).toBe(4);
  });

  test("removed node reports its lost tasks", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 1));
    const placed = scheduler.schedule().placements[0];
    expect(scheduler.removeNode(placed.node)).toEqual([{ job: "a", task: placed.task }]);
  });

  test("lost task is placed again elsewhere", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 1));
    const placed = scheduler.schedule().placements[0];
    scheduler.removeNode(placed.node);
    const again = scheduler.schedule().placements;
    expect(again.map((p) => p.node)).not.toContain(placed.node);
    expect(again.length).toBe(1);
  });

  test("cordoned node takes no new tasks", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.setNodeSchedulable("n0", false);
    scheduler.submit(job("a", 8, 2));
    expect(scheduler.schedule().placements.map((p) => p.node)).toEqual(["n1"]);
  });

  test("added node takes pending work", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(1));
    scheduler.submit(job("a", 8, 2));
    scheduler.schedule();
    scheduler.addNode({ name: "extra", capacity: { gpu: 8, cpu: 64, memory: 524288 }, gpuType: "A100" });
    expect(scheduler.schedule().placements.map((p) => p.node)).toEqual(["extra"]);
  });

  test("finish works after a rebuild", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(1));
    scheduler.submit(job("a", 8, 2));
    const placed = scheduler.schedule().placements[0];
    scheduler.updateQueue({ name: "root.c" });
    scheduler.finishTask(placed.task);
    expect(scheduler.schedule().placements.map((p) => p.job)).toEqual(["a"]);
  });

  test("removed job leaves nothing pending", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(1));
    scheduler.submit(job("a", 16, 1));
    scheduler.schedule();
    scheduler.removeJob("a");
    expect(scheduler.schedule().pending).toEqual([]);
  });

  test("updated queue limit applies", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.updateQueue({ name: "root.a", maxResources: { gpu: 8 } });
    scheduler.submit(job("a", 8, 2));
    expect(scheduler.schedule().placements.length).toBe(1);
  });

  test("snapshot keeps running tasks", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 1));
    scheduler.schedule();
    const allocations = scheduler.snapshot().jobs[0].allocations ?? [];
    expect(allocations.map((a) => a.node)).toEqual(["n0"]);
  });

  test("submit to unknown queue fails", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    expect(() => scheduler.submit(job("a", 1, 1, { queue: "root.nope" }))).toThrow(/unknown queue root.nope/);
  });

  test("tables grow past their first size", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(4));
    for (let k = 0; k < 40; k++) scheduler.submit(job(`j${k}`, 1, 1, { queue: k % 2 ? "root.a" : "root.b" }));
    expect(scheduler.schedule().placements.length).toBe(32);
  });

  test("shares reflect placements", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job("a", 8, 1));
    scheduler.schedule();
    expect(scheduler.shares().find((q) => q.name === "root.a")?.usage.gpu).toBe(8);
  });
});
