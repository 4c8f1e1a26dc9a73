// Victim selection (planPreemption) in the WebAssembly core and the TypeScript reference: who may
// be a victim, what a victim set costs, and how much it frees.
import { describe, expect, test } from "vitest";

import type { JobSpec, QueueSpec, SchedulingPolicy } from "../src/model/types.js";
import { readReservations } from "../src/preemption.js";
import { countByJob, ENGINES, load, nodes, pending, plan, planLoaded, running, snapshot } from "./preempt-helpers.js";

const ONE = { gpu: 1, cpu: 4 };
/** root.b reclaims its whole fair share as soon as it is below it. */
const STARVED: QueueSpec = { name: "root.b", fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 1 };

/** Two 8-GPU nodes, root.a and root.b (starved at once) plus `jobs`. */
function twoNodes(jobs: JobSpec[], queues: QueueSpec[] = [{ name: "root.a" }, STARVED]) {
  return snapshot({ resources: ["gpu", "cpu"], nodes: nodes("n", 2, { gpu: 8, cpu: 64 }), queues, jobs });
}

describe.each(ENGINES)("victims (%s)", (engine) => {
  test("victim queue stops at its fair share", () => {
    const input = twoNodes([running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", ONE, 16)]);
    const { victims } = plan(input, engine);
    expect(victims.length).toBe(8);
  });

  test("one task frees one node only", () => {
    const input = twoNodes([running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1)]);
    const { victims } = plan(input, engine);
    expect(victims.length).toBe(4);
    expect(new Set(victims.map((v) => v.node)).size).toBe(1);
  });

  test("non-preemptible job is never a victim", () => {
    const input = twoNodes([
      running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]], { preemptible: false }),
      pending("b-job", "root.b", ONE, 8),
    ]);
    expect(plan(input, engine).victims).toEqual([]);
  });

  test("allowPreemptionFrom false protects the subtree", () => {
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 2, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.p", allowPreemptionFrom: false }, { name: "root.p.a" }, STARVED],
      jobs: [running("a-job", "root.p.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", ONE, 8)],
    });
    expect(plan(input, engine).victims).toEqual([]);
  });

  test("queue inside its min share is never a victim", () => {
    // root.a has weight 0 and a min share of 8 GPUs, all in use; root.c runs above its share.
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 3, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a", weight: 0, minResources: { gpu: 8 } }, STARVED, { name: "root.c" }],
      jobs: [
        running("a-job", "root.a", ONE, [["n-0", 8]], { startTime: 99 }),
        running("c-job", "root.c", ONE, [["n-1", 8], ["n-2", 8]]),
        pending("b-job", "root.b", ONE, 16),
      ],
    });
    const counts = countByJob(plan(input, engine).victims);
    expect(counts["a-job"]).toBeUndefined();
    expect(counts["c-job"]).toBe(8);
  });

  test("ancestor below the common parent keeps its share", () => {
    // root.x uses exactly its 12-GPU fair share, all in x.a1; root.y.c runs 6 GPUs above its share.
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 3, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.x.a1" }, { name: "root.x.a2" }, { name: "root.y.b", fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 1 }, { name: "root.y.c" }],
      jobs: [
        running("a1-job", "root.x.a1", ONE, [["n-0", 8], ["n-1", 4]], { startTime: 99 }),
        pending("a2-job", "root.x.a2", ONE, 4),
        running("c-job", "root.y.c", ONE, [["n-1", 4], ["n-2", 8]]),
        pending("b-job", "root.y.b", ONE, 8),
      ],
    });
    const counts = countByJob(plan(input, engine).victims);
    expect(counts["a1-job"]).toBeUndefined();
    expect(counts["c-job"]).toBe(6);
  });

  test("gang victim brings all its tasks", () => {
    const input = twoNodes([
      running("gang", "root.a", { gpu: 4, cpu: 4 }, ["n-0", "n-1"], { gang: true, startTime: 95 }),
      running("solo", "root.a", { gpu: 4, cpu: 4 }, ["n-0", "n-1"], { startTime: 0 }),
      pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1),
    ]);
    const { victims } = plan(input, engine);
    expect(countByJob(victims)).toEqual({ gang: 2 });
    expect(victims.map((v) => v.node).sort()).toEqual(["n-0", "n-1"]);
    expect(victims.every((v) => v.forNode === victims[0].forNode)).toBe(true);
  });

  test("gang costs its GPUs on every node", () => {
    // The gang's 8 GPUs x 20 s lose more than one solo task's 4 GPUs x 30 s.
    const input = twoNodes([
      running("gang", "root.a", { gpu: 4, cpu: 4 }, ["n-0", "n-1"], { gang: true, startTime: 80 }),
      running("solo", "root.a", { gpu: 4, cpu: 4 }, ["n-0", "n-1"], { startTime: 70 }),
      pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1),
    ]);
    expect(countByJob(plan(input, engine).victims)).toEqual({ solo: 1 });
  });

  test("recent checkpoint makes the cheaper victim", () => {
    const input = twoNodes([
      running("old", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 50 }),
      running("saved", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 0, lastCheckpoint: 95 }),
      pending("b-job", "root.b", { gpu: 2, cpu: 4 }, 1),
    ]);
    expect(countByJob(plan(input, engine).victims)).toEqual({ saved: 2 });
  });

  test("checkpoint interval implies checkpoints", () => {
    // Started at 0 with a 30 s interval: last checkpoint at 90, so 10 s lost against 50 s.
    const input = twoNodes([
      running("old", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 50 }),
      running("periodic", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 0, checkpointInterval: 30 }),
      pending("b-job", "root.b", { gpu: 2, cpu: 4 }, 1),
    ]);
    expect(countByJob(plan(input, engine).victims)).toEqual({ periodic: 2 });
  });

  test("equal cost takes the lowest priority", () => {
    const input = twoNodes([
      running("high", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { priority: 5 }),
      running("low", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { priority: 1 }),
      pending("b-job", "root.b", ONE, 1),
    ]);
    expect(countByJob(plan(input, engine).victims)).toEqual({ low: 1 });
  });

  test("equal cost and priority takes the newest", () => {
    const input = twoNodes([
      running("older", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 10, lastCheckpoint: 90 }),
      running("newer", "root.a", ONE, [["n-0", 4], ["n-1", 4]], { startTime: 20, lastCheckpoint: 90 }),
      pending("b-job", "root.b", ONE, 1),
    ]);
    expect(countByJob(plan(input, engine).victims)).toEqual({ newer: 1 });
  });

  test("AM tasks go last", () => {
    const am = running("driver", "root.a", ONE, [["n-0", 8], ["n-1", 8]], { startTime: 0 });
    am.allocations = [
      { node: "n-0", request: ONE, count: 1, startTime: 99, am: true },
      { node: "n-0", request: ONE, count: 7, startTime: 0 },
      { node: "n-1", request: ONE, count: 8, startTime: 0 },
    ];
    const input = twoNodes([am, pending("b-job", "root.b", ONE, 1)]);
    const { state, victims } = plan(input, engine);
    expect(victims.length).toBe(1);
    expect(state.u8("alloc.flags")[victims[0].alloc] & 1).toBe(0);
  });

  test("starved gang frees the nodes it needs", () => {
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 4, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a" }, STARVED],
      jobs: [
        running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8], ["n-2", 8], ["n-3", 8]]),
        pending("b-gang", "root.b", { gpu: 8, cpu: 8 }, 2, { gang: true }),
      ],
    });
    const { victims } = plan(input, engine);
    expect(victims.length).toBe(16);
    expect(new Set(victims.map((v) => v.node)).size).toBe(2);
  });

  test("starved gang that cannot fit frees nothing", () => {
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 4, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a" }, STARVED],
      jobs: [
        running("a-job", "root.a", ONE, [["n-0", 8]]),
        running("a-fixed", "root.a", ONE, [["n-1", 8], ["n-2", 8], ["n-3", 8]], { preemptible: false }),
        pending("b-gang", "root.b", { gpu: 8, cpu: 8 }, 2, { gang: true }),
      ],
    });
    const { state, victims } = plan(input, engine);
    expect(victims).toEqual([]);
    expect(state.f64("node.planFree")[0]).toBe(0);
    expect(state.i32("job.reservations")[2]).toBe(0);
  });

  test("large cluster frees only the request", () => {
    // 48 nodes of 8 busy GPUs; a 48-GPU request of 6 x 8 GPUs frees exactly 6 nodes.
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 48, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a" }, { ...STARVED, minResources: { gpu: 48 }, minSharePreemptionTimeout: 0 }],
      jobs: [
        running("a-job", "root.a", ONE, Array.from({ length: 48 }, (_, i): [string, number] => [`n-${i}`, 8])),
        pending("b-job", "root.b", { gpu: 8, cpu: 8 }, 6),
      ],
    });
    const { victims } = plan(input, engine);
    expect(victims.length).toBe(48);
    expect(new Set(victims.map((v) => v.node)).size).toBe(6);
  });

  test("freed space is reserved for the starved job", () => {
    const input = twoNodes([running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1)]);
    const { state, index, victims } = plan(input, engine);
    expect(readReservations(state, index)).toEqual([
      { node: victims[0].forNode, job: "b-job", until: 160, resources: { gpu: 4, cpu: 4 } },
    ]);
  });

  test("job holding a reservation is not planned again", () => {
    const input = twoNodes([running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1)]);
    const loaded = load(input);
    expect(planLoaded(loaded, engine).victims.length).toBe(4);
    // The victims have not stopped yet: the next pass must not take four more.
    expect(planLoaded(loaded, engine).victims).toEqual([]);
  });

  test("reservation lapses after its timeout", () => {
    const input = twoNodes([running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", { gpu: 4, cpu: 4 }, 1)]);
    const loaded = load(input, 30);
    planLoaded(loaded, engine);
    loaded.state.f64("header.time")[0] = 131;
    expect(planLoaded(loaded, engine).victims.length).toBe(4);
  });

  test("same snapshot gives the same plan", () => {
    const input = twoNodes([
      running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]], { startTime: 3 }),
      pending("b-job", "root.b", { gpu: 3, cpu: 4 }, 3),
    ]);
    expect(plan(input, engine).victims).toEqual(plan(input, engine).victims);
  });
});

/** Jobs of a starved leaf, in row order, with root.a's allocations and the job the plan serves. */
const LEAF_ORDER: { name: string; policy: SchedulingPolicy; aOn: [string, number][]; jobs: JobSpec[]; served: string }[] = [
  {
    name: "fifo: higher priority first",
    policy: "fifo",
    aOn: [["n-0", 8], ["n-1", 8]],
    jobs: [pending("low-job", "root.b", ONE, 8, { submitTime: 10 }), pending("high-job", "root.b", ONE, 8, { priority: 5, submitTime: 50 })],
    served: "high-job",
  },
  {
    name: "fifo: earlier submit first",
    policy: "fifo",
    aOn: [["n-0", 8], ["n-1", 8]],
    jobs: [pending("late-job", "root.b", ONE, 8, { submitTime: 50 }), pending("early-job", "root.b", ONE, 8, { submitTime: 10 })],
    served: "early-job",
  },
  {
    name: "fair: less usage first",
    policy: "fair",
    aOn: [["n-0", 8], ["n-1", 7]],
    jobs: [
      running("busy-job", "root.b", ONE, [["n-1", 1]], { tasks: [{ request: { ...ONE }, count: 8 }] }),
      pending("idle-job", "root.b", ONE, 8, { submitTime: 50 }),
    ],
    served: "idle-job",
  },
];

describe.each(ENGINES)("starved leaf job order (%s)", (engine) => {
  test.each(LEAF_ORDER)("$name", ({ policy, aOn, jobs, served }) => {
    // root.b's fair share is 8 GPUs and each job demands 8, so only the first job served is planned.
    const input = twoNodes([running("a-job", "root.a", ONE, aOn), ...jobs], [{ name: "root.a" }, { ...STARVED, schedulingPolicy: policy }]);
    expect([...new Set(plan(input, engine).victims.map((v) => v.forJob))]).toEqual([served]);
  });
});
