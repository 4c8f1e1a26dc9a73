import { afterAll, describe, expect, it } from "vitest";
import type { NodeSpec } from "../src/model/types.js";
import { Scheduler } from "../src/scheduler.js";
import { createCoreScheduler } from "../src/sim/core-scheduler.js";
import { evaluate, scoreCandidate, type Candidate } from "../src/whatif/evaluate.js";
import { WhatIfPool } from "../src/whatif/pool.js";

const HORIZON = 3600;

/** Four 8-GPU nodes filled by root.a's gangs at time 0; root.b submits at time 100. */
function busyScheduler() {
  const nodes: NodeSpec[] = Array.from({ length: 4 }, (_, i) => ({ name: `n${i}`, capacity: { gpu: 8, cpu: 64, memory: 512_000 }, gpuType: "V100" }));
  const scheduler = Scheduler.fromSnapshot({
    version: 1,
    time: 0,
    resources: ["gpu", "cpu", "memory"],
    nodes,
    queues: [{ name: "root" }, { name: "root.a", weight: 1 }, { name: "root.b", weight: 1 }],
    jobs: [],
  });
  for (let j = 0; j < 6; j++) {
    scheduler.submit({ name: `a${j}`, queue: "root.a", user: "u", submitTime: 0, gang: true, tasks: [{ request: { gpu: 4, cpu: 8, memory: 1000 }, count: 2 }] });
  }
  scheduler.setTime(0);
  const first = scheduler.schedule();
  scheduler.setTime(100);
  for (let j = 0; j < 3; j++) {
    scheduler.submit({ name: `b${j}`, queue: "root.b", user: "u", submitTime: 100, tasks: [{ request: { gpu: 8, cpu: 8, memory: 1000 }, count: 1 }] });
  }
  return { scheduler, first };
}

const durations: Record<string, number> = { b0: 500, b1: 500, b2: 500 };
for (let j = 0; j < 6; j++) durations[`a${j}`] = 1000 + 300 * j;

describe("evaluate", async () => {
  const { scheduler, first } = busyScheduler();
  const gang = first.placements.filter((p) => p.job === first.placements[0].job);
  const candidates: Candidate[] = [
    { kind: "none" },
    { kind: "weight", queue: "root.b", weight: 4 },
    { kind: "preemption", victims: gang.map((p) => ({ job: p.job, node: p.node, task: p.task })) },
    { kind: "preemption", victims: gang.map((p) => ({ job: p.job, node: p.node })) },
  ];
  const pool = new WhatIfPool({ workers: 2 });
  afterAll(() => pool.destroy());
  const scores = await evaluate(scheduler, candidates, HORIZON, { durations, pool });
  const snapshot = scheduler.snapshot();

  it.each(candidates.map((c, i) => [c.kind, i] as const))("equals a sequential run: %s (#%i)", (_, index) => {
    expect(scores[index]).toEqual(scoreCandidate(snapshot, candidates[index], HORIZON, durations, createCoreScheduler));
  });

  it("counts the preempted gang's lost work", () => {
    // Two tasks of 4 GPUs each, started at 0 and stopped at 100 s without checkpoints.
    expect(scores[2].lostGpuHours).toBeCloseTo((2 * 4 * 100) / 3600, 12);
  });

  it("starts root.b sooner after preemption", () => {
    expect(scores[2].meanQueueingDelay).toBeLessThan(scores[0].meanQueueingDelay);
  });

  it("finds victims by node without task ids", () => {
    expect(scores[3]).toEqual(scores[2]);
  });

  it("leaves the caller's scheduler unchanged", () => {
    expect(scheduler.snapshot()).toEqual(snapshot);
  });

  it("rejects a candidate for an unknown queue", async () => {
    await expect(evaluate(scheduler, [{ kind: "weight", queue: "root.zz", weight: 2 }], HORIZON, { pool })).rejects.toThrow(/root.zz/);
  });

  it("rejects a non-positive horizon", async () => {
    await expect(evaluate(scheduler, candidates, 0, { pool })).rejects.toThrow(RangeError);
  });
});
