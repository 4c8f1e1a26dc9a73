// Starvation clocks and amounts (updateStarvation), in the WebAssembly core and the TypeScript
// reference, on small clusters where queue root.a holds every GPU and root.b waits.
import { describe, expect, test } from "vitest";

import { STARVED_FAIR_SHARE, STARVED_MIN_SHARE } from "../src/core/layout.js";
import type { QueueSpec } from "../src/model/types.js";
import { readQueueClocks, starvationReason } from "../src/preemption.js";
import { ENGINES, nodes, pending, plan, running, snapshot } from "./preempt-helpers.js";

const GPU = { gpu: 1, cpu: 4 };

/** Two 8-GPU nodes fully used by root.a; root.b has `waiting` pending 1-GPU tasks. */
function cluster(b: Partial<QueueSpec>, options: { waiting?: number; bUses?: number; time?: number } = {}) {
  const jobs = [running("a-job", "root.a", GPU, [["n-0", 8], ["n-1", 8 - (options.bUses ?? 0)]])];
  if (options.bUses) jobs.push(running("b-run", "root.b", GPU, [["n-1", options.bUses]]));
  if ((options.waiting ?? 8) > 0) jobs.push(pending("b-job", "root.b", GPU, options.waiting ?? 8));
  return snapshot({
    time: options.time ?? 100,
    resources: ["gpu", "cpu"],
    nodes: nodes("n", 2, { gpu: 8, cpu: 64 }),
    queues: [{ name: "root.a" }, { name: "root.b", ...b }],
    jobs,
  });
}

function queueRow(index: { queueRow: Map<string, number> }, name: string): number {
  return index.queueRow.get(name)!;
}

describe.each(ENGINES)("starvation (%s)", (engine) => {
  test("clock starts when a queue first falls below", () => {
    const { state, index } = plan(cluster({ fairSharePreemptionTimeout: 30 }), engine);
    const clocks = readQueueClocks(state, index).find((c) => c.name === "root.b")!;
    expect(clocks.belowFairShareSince).toBe(100);
    expect(clocks.belowMinShareSince).toBeNull();
    expect(state.u8("queue.starvedFor")[queueRow(index, "root.b")]).toBe(0);
  });

  test("clock carried in the snapshot keeps running", () => {
    const { state, index } = plan(cluster({ fairSharePreemptionTimeout: 30, belowFairShareSince: 60 }), engine);
    const b = queueRow(index, "root.b");
    expect(state.f64("queue.belowFairSince")[b]).toBe(60);
    expect(state.u8("queue.starvedFor")[b]).toBe(STARVED_FAIR_SHARE);
    expect(starvationReason(state, index, b)).toBe("root.b below 0.5 x fair share for 40 s");
  });

  test("clock resets when the queue recovers", () => {
    const input = cluster({ fairSharePreemptionTimeout: 30, belowFairShareSince: 60 }, { bUses: 8, waiting: 1 });
    const { state, index } = plan(input, engine);
    expect(state.f64("queue.belowFairSince")[queueRow(index, "root.b")]).toBeNaN();
  });

  test("no timeout means never starved", () => {
    const { state, index } = plan(cluster({ belowFairShareSince: 0, belowMinShareSince: 0, minResources: { gpu: 4 } }), engine);
    const b = queueRow(index, "root.b");
    expect(state.f64("queue.belowFairSince")[b]).toBe(0);
    expect(state.u8("queue.starvedFor")[b]).toBe(0);
    expect(state.i32("header.victimCount")[0]).toBe(0);
  });

  test("min share starvation is the min-share deficit", () => {
    const input = cluster({ minResources: { gpu: 4 }, minSharePreemptionTimeout: 10, belowMinShareSince: 50 });
    const { state, index } = plan(input, engine);
    const b = queueRow(index, "root.b");
    expect(state.u8("queue.starvedFor")[b]).toBe(STARVED_MIN_SHARE);
    expect(state.f64("queue.starvation")[b * 2]).toBe(4);
    expect(starvationReason(state, index, b)).toBe("root.b below min share for 50 s");
  });

  test("starvation is capped by pending demand", () => {
    const input = cluster({ minResources: { gpu: 16 }, minSharePreemptionTimeout: 0 }, { waiting: 2 });
    const { state, index } = plan(input, engine);
    expect(state.f64("queue.starvation")[queueRow(index, "root.b") * 2]).toBe(2);
  });

  test("fair share starvation scales with the threshold", () => {
    const input = cluster({ fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 0.5 }, { waiting: 16 });
    const { state, index } = plan(input, engine);
    // Fair share 8 GPUs each; half of it is 4.
    expect(state.f64("queue.starvation")[queueRow(index, "root.b") * 2]).toBe(4);
  });

  test("both timeouts passed take the larger deficit", () => {
    const input = cluster(
      { minResources: { gpu: 2 }, minSharePreemptionTimeout: 0, fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 1 },
      { waiting: 16 },
    );
    const { state, index } = plan(input, engine);
    const b = queueRow(index, "root.b");
    expect(state.u8("queue.starvedFor")[b]).toBe(STARVED_MIN_SHARE | STARVED_FAIR_SHARE);
    expect(state.f64("queue.starvation")[b * 2]).toBe(8);
    expect(starvationReason(state, index, b)).toBe("root.b below min share for 0 s and below 1.0 x fair share for 0 s");
  });

  test("below min share in one requested dimension", () => {
    // root.b runs 4 GPUs (at its 4-GPU min) but only 16 of its 32 minimum cpu.
    const input = cluster({ minResources: { gpu: 4, cpu: 32 }, minSharePreemptionTimeout: 0 }, { bUses: 4, waiting: 4 });
    const { state, index } = plan(input, engine);
    expect(state.f64("queue.belowMinSince")[queueRow(index, "root.b")]).toBe(100);
  });

  test("fair share compares the dominant ratio", () => {
    // root.b uses 4 of its 8-GPU fair share, but its cpu-heavy tasks fill its 64-cpu share.
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 2, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a" }, { name: "root.b", fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 1 }],
      jobs: [
        running("a-job", "root.a", { gpu: 1, cpu: 0 }, [["n-0", 8], ["n-1", 4]]),
        running("b-run", "root.b", { gpu: 1, cpu: 16 }, [["n-1", 4]]),
        pending("b-job", "root.b", { gpu: 1, cpu: 1 }, 8),
      ],
    });
    const { state, index } = plan(input, engine);
    expect(state.f64("queue.belowFairSince")[queueRow(index, "root.b")]).toBeNaN();
  });

  test("parents get clocks but never starve", () => {
    const input = snapshot({
      resources: ["gpu", "cpu"],
      nodes: nodes("n", 2, { gpu: 8, cpu: 64 }),
      queues: [{ name: "root.a" }, { name: "root.p", fairSharePreemptionTimeout: 0 }, { name: "root.p.b" }],
      jobs: [running("a-job", "root.a", GPU, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.p.b", GPU, 8)],
    });
    const { state, index } = plan(input, engine);
    const p = queueRow(index, "root.p");
    expect(state.f64("queue.belowFairSince")[p]).toBe(100);
    expect(state.u8("queue.starvedFor")[p]).toBe(0);
    expect(state.u8("queue.starvedFor")[queueRow(index, "root.p.b")]).toBe(STARVED_FAIR_SHARE);
  });
});
