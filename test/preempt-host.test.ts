// Host side of preemption: clocks carried between stateless decisions and across Scheduler
// rebuilds, reservations read and written back, and the option checks.
import { describe, expect, test } from "vitest";

import type { Decision } from "../src/decision.js";
import {
  preparePreemption,
  readReservations,
  withQueueClocks,
  writeReservations,
  type PreemptionOutput,
} from "../src/preemption.js";
import { decide, Scheduler } from "../src/scheduler.js";
import { load, nodes, pending, running, snapshot } from "./preempt-helpers.js";

const ONE = { gpu: 1, cpu: 4 };

/** root.a fills two 8-GPU nodes; root.b waits 30 s below half its fair share before preempting. */
function cluster(time: number) {
  return snapshot({
    time,
    resources: ["gpu", "cpu"],
    nodes: nodes("n", 2, { gpu: 8, cpu: 64 }),
    queues: [{ name: "root.a" }, { name: "root.b", fairSharePreemptionTimeout: 30 }],
    jobs: [running("a-job", "root.a", ONE, [["n-0", 8], ["n-1", 8]]), pending("b-job", "root.b", ONE, 8)],
  });
}

describe("preemption host", () => {
  test("decide returns the clocks it started", () => {
    const decision = decide(cluster(100)) as Decision & PreemptionOutput;
    expect(decision.preemptions).toEqual([]);
    expect(decision.queues.find((q) => q.name === "root.b")).toEqual({
      name: "root.b",
      belowMinShareSince: null,
      belowFairShareSince: 100,
    });
  });

  test("clocks carried between decide calls", () => {
    const first = decide(cluster(100)) as Decision & PreemptionOutput;
    const second = decide(withQueueClocks(cluster(140), first.queues)) as Decision & PreemptionOutput;
    // Half of root.b's 8-GPU fair share is 4 GPUs.
    expect(second.preemptions.length).toBe(4);
    expect(second.preemptions[0].reason).toBe("root.b below 0.5 x fair share for 40 s");
    expect(second.preemptions[0].forJob).toBe("b-job");
  });

  test("decide without carried clocks restarts them", () => {
    const decision = decide(cluster(140));
    expect(decision.preemptions).toEqual([]);
  });

  test("Scheduler keeps clocks across a rebuild", () => {
    const scheduler = Scheduler.fromSnapshot(cluster(100));
    expect(scheduler.schedule().preemptions).toEqual([]);
    // Changing a queue rebuilds the core state from the host model.
    scheduler.updateQueue({ name: "root.a", weight: 1 });
    scheduler.setTime(140);
    const decision = scheduler.schedule();
    expect(decision.preemptions.length).toBe(4);
    expect(decision.preemptions[0].reason).toBe("root.b below 0.5 x fair share for 40 s");
  });

  test("reservations survive a write and read", () => {
    const { state, index } = load(cluster(100));
    const reservation = { node: "n-1", job: "b-job", until: 160, resources: { gpu: 2, cpu: 8 } };
    writeReservations(state, index, [reservation, { ...reservation, node: "gone" }]);
    expect(readReservations(state, index)).toEqual([reservation]);
  });

  test("lapsed reservation is not read", () => {
    const { state, index } = load(cluster(100));
    writeReservations(state, index, [{ node: "n-1", job: "b-job", until: 100, resources: { gpu: 2 } }]);
    expect(readReservations(state, index)).toEqual([]);
  });

  test.each([-1, Number.NaN])("reservation timeout %s is rejected", (timeout) => {
    const { state } = load(cluster(100));
    expect(() => preparePreemption(state, { reservationTimeout: timeout })).toThrow(/reservationTimeout must be/);
  });
});
