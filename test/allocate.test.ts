// Unit tests of the allocation pass through decide(): packing, gangs, topology, limits, delay
// scheduling and the reason of each pending job.
import { describe, expect, test } from "vitest";

import type { JobSpec, NodeSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { decide } from "../src/scheduler.js";

function gpuNode(name: string, topology: string, extra: Partial<NodeSpec> = {}): NodeSpec {
  return { name, capacity: { gpu: 8, cpu: 64, memory: 524288 }, gpuType: "A100", topology, ...extra };
}

function job(name: string, gpu: number, count: number, extra: Partial<JobSpec> = {}): JobSpec {
  return { name, queue: "root.a", user: "u", submitTime: 0, tasks: [{ request: { gpu, cpu: 1, memory: 1024 }, count }], ...extra };
}

function snapshot(nodes: NodeSpec[], jobs: JobSpec[], queues: QueueSpec[] = [{ name: "root.a" }, { name: "root.b" }]): Snapshot {
  return { version: 1, time: 10, resources: ["gpu", "cpu", "memory"], nodes, queues, jobs };
}

const placedOn = (s: Snapshot, jobName: string) =>
  decide(s).placements.filter((p) => p.job === jobName).map((p) => p.node);
const reasonOf = (s: Snapshot, jobName: string, threshold = 0) =>
  decide(s, { localityThreshold: threshold }).pending.find((p) => p.job === jobName)?.reason;

describe("node choice", () => {
  test("one-gpu task packs onto a partly used node", () => {
    const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")];
    const s = snapshot(nodes, [job("a", 4, 1), job("b", 1, 1, { submitTime: 1, queue: "root.b" })]);
    expect(placedOn(s, "b")).toEqual(placedOn(s, "a"));
  });

  test("gang prefers one nvlink domain", () => {
    const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d1"), gpuNode("n2", "z/r1/d2"), gpuNode("n3", "z/r0/d1")];
    nodes[0].capacity = { gpu: 4, cpu: 64, memory: 524288 };
    const s = snapshot(nodes, [job("g", 8, 2, { gang: true })]);
    expect(placedOn(s, "g").sort()).toEqual(["n1", "n3"]);
  });

  test("gpu type pin is honoured", () => {
    const s = snapshot([gpuNode("a100", "z/r0/d0"), gpuNode("h100", "z/r0/d0", { gpuType: "H100" })], [
      { ...job("pinned", 8, 1), tasks: [{ request: { gpu: 8 }, count: 1, gpuTypes: ["H100"] }] },
    ]);
    expect(placedOn(s, "pinned")).toEqual(["h100"]);
  });

  test("label selector is honoured", () => {
    const s = snapshot([gpuNode("plain", "z/r0/d0"), gpuNode("train", "z/r0/d0", { labels: { pool: "training" } })], [
      { ...job("selected", 1, 1), tasks: [{ request: { gpu: 1 }, count: 1, nodeSelector: { pool: "training" } }] },
    ]);
    expect(placedOn(s, "selected")).toEqual(["train"]);
  });

  test("cordoned node takes nothing", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0", { schedulable: false })], [job("a", 1, 1)]);
    expect(reasonOf(s, "a")).toBe("cluster has no schedulable nodes");
  });
});

describe("gangs", () => {
  test("gang that does not fit places nothing", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")], [job("g", 8, 3, { gang: true })]);
    expect(placedOn(s, "g")).toEqual([]);
  });

  test("gang reason counts members that found room", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")], [job("g", 8, 3, { gang: true })]);
    expect(reasonOf(s, "g")).toMatch(/^gang of 3x8 GPUs does not fit: only 2 of 3 tasks find room, and the largest free block is /);
  });

  test("gang reason names the largest free block", () => {
    const nodes = [gpuNode("a0", "z/r0/d0"), gpuNode("b0", "z/r1/d1"), gpuNode("b1", "z/r1/d1"), gpuNode("c0", "z/r2/d2")];
    const s = snapshot(nodes, [job("g", 8, 5, { gang: true })]);
    expect(reasonOf(s, "g")).toBe("gang of 5x8 GPUs does not fit: only 4 of 5 tasks find room, and the largest free block is 2 nodes in z/r1 (room for 2 tasks)");
  });

  test("free block counts tasks per node", () => {
    const nodes = [gpuNode("a0", "z/r0/d0"), gpuNode("b0", "z/r1/d1")];
    const s = snapshot(nodes, [job("g", 4, 5, { gang: true })]);
    expect(reasonOf(s, "g")).toMatch(/largest free block is 1 node in z\/r0 \(room for 2 tasks\)$/);
  });

  test("elastic job starts at its minimum", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")], [job("e", 8, 4, { elastic: { min: 2, max: 4 } })]);
    expect(placedOn(s, "e").length).toBe(2);
  });

  test("elastic job below its minimum waits", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0")], [job("e", 8, 4, { elastic: { min: 2, max: 4 } })]);
    expect(placedOn(s, "e")).toEqual([]);
  });
});

describe("gangs that lost members", () => {
  const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")];
  const member = { gpu: 8, cpu: 1, memory: 1024 };
  // A 2x8 gang with one member still running on n0 and one back in pending.
  const broken = (queue: string, submitTime: number): JobSpec => ({
    ...job("broken", 8, 1, { gang: true, queue, submitTime }),
    allocations: [{ node: "n0", request: member }],
  });

  test("gang is completed before fresh work of its leaf", () => {
    const s = snapshot(nodes, [job("fresh", 8, 1), broken("root.a", 5)]);
    expect(placedOn(s, "broken")).toEqual(["n1"]);
  });

  test("gang is completed before a sibling at equal usage", () => {
    const running: JobSpec = { ...job("other", 8, 1, { queue: "root.b" }), allocations: [{ node: "n0", request: member }] };
    const nodes3 = [...nodes, gpuNode("n2", "z/r0/d0")];
    const s = snapshot(nodes3, [running, broken("root.a", 5)]);
    s.jobs[1] = { ...s.jobs[1], allocations: [{ node: "n2", request: member }] };
    expect(placedOn(s, "broken")).toEqual(["n1"]);
  });

  test("sibling at lower usage still goes first", () => {
    const s = snapshot(nodes, [job("other", 8, 1, { queue: "root.b" }), broken("root.a", 0)]);
    expect(placedOn(s, "other")).toEqual(["n1"]);
  });
});

describe("limits and reasons", () => {
  const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")];

  test("maxResources counts the request", () => {
    const s = snapshot(nodes, [job("a", 4, 3)], [{ name: "root.a", maxResources: { gpu: 10 } }]);
    expect(placedOn(s, "a").length).toBe(2);
  });

  test("maxResources reason names queue and amounts", () => {
    const s = snapshot(nodes, [job("a", 4, 3)], [{ name: "root.a", maxResources: { gpu: 10 } }]);
    expect(reasonOf(s, "a")).toBe("queue root.a is at maxResources (gpu 8/10)");
  });

  test("ancestor maxResources applies", () => {
    const queues = [{ name: "root.p", maxResources: { gpu: 4 } }, { name: "root.p.a" }];
    const s = snapshot(nodes, [job("a", 4, 2, { queue: "root.p.a" })], queues);
    expect(reasonOf(s, "a")).toBe("queue root.p is at maxResources (gpu 4/4)");
  });

  test("maxRunningApps stops a new job", () => {
    const s = snapshot(nodes, [job("a", 1, 1), job("b", 1, 1, { submitTime: 1 })], [{ name: "root.a", maxRunningApps: 1 }]);
    expect(reasonOf(s, "b")).toBe("queue root.a is at maxRunningApps (1)");
  });

  test("user maxRunningApps stops the user's next job", () => {
    const s = { ...snapshot(nodes, [job("a", 1, 1), job("b", 1, 1, { submitTime: 1 })]), users: { u: { maxRunningApps: 1 } } };
    expect(reasonOf(s, "b")).toBe("user u is at maxRunningApps (1)");
  });

  test("userMaxAppsDefault applies to users without an entry", () => {
    const s = { ...snapshot(nodes, [job("a", 1, 1), job("b", 1, 1, { submitTime: 1 })]), userMaxAppsDefault: 1 };
    expect(placedOn(s, "b")).toEqual([]);
  });

  test("user entry overrides userMaxAppsDefault", () => {
    const jobs = [job("a", 1, 1), job("b", 1, 1, { submitTime: 1 })];
    const s = { ...snapshot(nodes, jobs), users: { u: { maxRunningApps: 2 } }, userMaxAppsDefault: 1 };
    expect(placedOn(s, "b").length).toBe(1);
  });

  test("user limit leaves other users alone", () => {
    const jobs = [job("a", 1, 1), job("b", 1, 1, { submitTime: 1 }), job("c", 1, 1, { submitTime: 2, user: "v" })];
    const s = { ...snapshot(nodes, jobs), users: { u: { maxRunningApps: 1 } } };
    expect(placedOn(s, "c").length).toBe(1);
  });

  test("user limit counts jobs already running", () => {
    const running: JobSpec = { ...job("r", 1, 0), allocations: [{ node: "n0", request: { gpu: 1, cpu: 1, memory: 1024 } }] };
    const s = { ...snapshot(nodes, [running, job("b", 1, 1, { submitTime: 1 })]), users: { u: { maxRunningApps: 1 } } };
    expect(reasonOf(s, "b")).toBe("user u is at maxRunningApps (1)");
  });

  test("missing gpu type is reported", () => {
    const s = snapshot(nodes, [{ ...job("h", 1, 1), tasks: [{ request: { gpu: 1 }, count: 1, gpuTypes: ["H100"] }] }]);
    expect(reasonOf(s, "h")).toBe("no node has GPU type H100");
  });

  test("oversized request is reported", () => {
    expect(reasonOf(snapshot(nodes, [job("big", 16, 1)]), "big")).toBe("request gpu 16 exceeds the largest node (8)");
  });

  test("fifo leaf runs higher priority first", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0")], [job("low", 8, 1), job("high", 8, 1, { priority: 5, submitTime: 3 })], [
      { name: "root.a", schedulingPolicy: "fifo" },
    ]);
    expect(placedOn(s, "high")).toEqual(["n0"]);
  });

  test("fair siblings alternate by usage", () => {
    const s = snapshot([gpuNode("n0", "z/r0/d0")], [job("a", 1, 8), job("b", 1, 8, { queue: "root.b", submitTime: 5 })]);
    expect(placedOn(s, "b").length).toBe(4);
  });
});

describe("leaves whose least request fits nowhere", () => {
  const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r0/d0")];
  const held = { gpu: 7, cpu: 1, memory: 1024 };
  const filler: JobSpec = {
    ...job("filler", 7, 0, { queue: "root.b" }),
    allocations: [{ node: "n0", request: held }, { node: "n1", request: held }],
  };

  test("job reports no room", () => {
    const s = snapshot(nodes, [filler, job("two", 2, 1, { submitTime: 1 })]);
    expect(reasonOf(s, "two")).toBe("no node has room for gpu 2 (2 free in the cluster, fragmented across nodes)");
  });

  test("gang reports no member placed", () => {
    const s = snapshot(nodes, [filler, job("g", 2, 2, { gang: true, submitTime: 1 })]);
    expect(reasonOf(s, "g")).toBe("gang of 2x2 GPUs does not fit: no node has room for one task");
  });

  test("job past maxResources reports the limit", () => {
    const queues = [{ name: "root.a", maxResources: { gpu: 1 } }, { name: "root.b" }];
    const s = snapshot(nodes, [job("two", 2, 1)], queues);
    expect(reasonOf(s, "two")).toBe("queue root.a is at maxResources (gpu 0/1)");
  });

  test("job of a parent queue keeps no reason", () => {
    const s = snapshot(nodes, [job("parent", 1, 1)], [{ name: "root.a" }, { name: "root.a.x" }]);
    expect(reasonOf(s, "parent")).toBe("not considered by the last pass");
  });

  test("smaller job of the same leaf still places", () => {
    const s = snapshot(nodes, [filler, job("two", 2, 1, { submitTime: 1 }), job("one", 1, 1, { submitTime: 2 })]);
    expect(placedOn(s, "one").length).toBe(1);
  });
});

describe("delay scheduling", () => {
  const nodes = [gpuNode("n0", "z/r0/d0"), gpuNode("n1", "z/r1/d1")];
  const busy: JobSpec = { ...job("busy", 8, 0), allocations: [{ node: "n0", request: { gpu: 8, cpu: 1, memory: 1024 } }] };

  test("local room is used first", () => {
    expect(placedOn(snapshot(nodes, [job("l", 1, 1, { locality: "z/r1/d1" })]), "l")).toEqual(["n1"]);
  });

  test("job waits while its domain is full", () => {
    const s = snapshot(nodes, [busy, job("l", 1, 1, { locality: "z/r0/d0" })]);
    expect(reasonOf(s, "l", 0.5)).toBe("waiting for locality (1/2 offers skipped)");
  });

  test("job without delay runs elsewhere", () => {
    const s = snapshot(nodes, [busy, job("l", 1, 1, { locality: "z/r0/d0" })]);
    expect(placedOn(s, "l")).toEqual(["n1"]);
  });
});
