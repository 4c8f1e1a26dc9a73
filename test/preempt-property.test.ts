// Properties of preemption planning over generated clusters, with fast-check on a fixed seed and
// a bounded number of runs. Both engines agree, plans are deterministic, and victim queues keep
// their shares. Plans free no more than they need, freed space fits what it is reserved for,
// and no two jobs preempt each other back and forth.
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { StateIndex } from "../src/core/load.js";
import type { CoreState } from "../src/core/state.js";
import type { JobSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { preparePreemption, readQueueClocks, readReservations } from "../src/preemption.js";
import { planPreemptionTs } from "../src/reference/preempt.js";
import { loadForScheduling, Scheduler } from "../src/scheduler.js";
import { readVictims, type Engine, type Victim } from "./preempt-helpers.js";

const SEED = 20261204;
const NODE = { gpu: 8, cpu: 32 };
const LEAVES = ["root.a", "root.b", "root.c", "root.p.d", "root.p.e"];

const queueDraft = fc.record({
  weight: fc.constantFrom(0, 1, 1, 2, 3),
  minGpu: fc.constantFrom(0, 0, 2, 4, 8),
  minTimeout: fc.constantFrom(undefined, 0, 30),
  fairTimeout: fc.constantFrom(undefined, 0, 0, 0, 20),
  threshold: fc.constantFrom(0.5, 0.8, 1),
});

const runningDraft = fc.record({
  gpu: fc.constantFrom(1, 2, 4),
  cpu: fc.constantFrom(1, 2, 4),
  tasks: fc.integer({ min: 1, max: 12 }),
  gang: fc.boolean(),
  preemptible: fc.constantFrom(true, true, true, false),
  priority: fc.integer({ min: 0, max: 2 }),
  start: fc.integer({ min: 0, max: 90 }),
  checkpoint: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
  interval: fc.constantFrom(0, 0, 15, 40),
  am: fc.boolean(),
});

const pendingDraft = fc.record({
  gpu: fc.constantFrom(1, 2, 4, 8),
  cpu: fc.constantFrom(1, 4),
  count: fc.integer({ min: 1, max: 4 }),
  gang: fc.boolean(),
});

const clusterDraft = fc.record({
  nodes: fc.integer({ min: 2, max: 6 }),
  leaves: fc.subarray(LEAVES, { minLength: 2 }),
  queues: fc.array(queueDraft, { minLength: 5, maxLength: 5 }),
  /** Index into LEAVES of the leaf with allowPreemptionFrom false; out of range for none. */
  protectedLeaf: fc.integer({ min: -3, max: 4 }),
  running: fc.array(fc.array(runningDraft, { maxLength: 3 }), { minLength: 5, maxLength: 5 }),
  pending: fc.array(fc.array(pendingDraft, { maxLength: 2 }), { minLength: 5, maxLength: 5 }),
});

/** Turns a draft into a snapshot, placing running tasks first-fit so no node is overcommitted. */
function buildSnapshot(draft: fc.infer<typeof clusterDraft>): Snapshot {
  const free = Array.from({ length: draft.nodes }, () => ({ ...NODE }));
  const queues: QueueSpec[] = [{ name: "root.p" }];
  const jobs: JobSpec[] = [];
  draft.leaves.forEach((leaf) => {
    const i = LEAVES.indexOf(leaf);
    const q = draft.queues[i];
    queues.push({
      name: leaf,
      weight: q.weight,
      minResources: { gpu: q.minGpu },
      minSharePreemptionTimeout: q.minTimeout,
      fairSharePreemptionTimeout: q.fairTimeout,
      fairSharePreemptionThreshold: q.threshold,
      allowPreemptionFrom: draft.protectedLeaf !== i,
    });
    draft.running[i].forEach((r, k) => {
      const allocations: NonNullable<JobSpec["allocations"]> = [];
      for (let t = 0; t < r.tasks; t++) {
        const n = free.findIndex((f) => f.gpu >= r.gpu && f.cpu >= r.cpu);
        if (n < 0) break;
        free[n].gpu -= r.gpu;
        free[n].cpu -= r.cpu;
        allocations.push({
          node: `n-${n}`,
          request: { gpu: r.gpu, cpu: r.cpu },
          count: 1,
          startTime: r.start,
          lastCheckpoint: r.checkpoint !== undefined && r.checkpoint >= r.start ? r.checkpoint : undefined,
          am: r.am && t === 0,
        });
      }
      if (allocations.length === 0) return;
      jobs.push({
        name: `${leaf}-run-${k}`,
        queue: leaf,
        user: "u",
        submitTime: r.start,
        priority: r.priority,
        gang: r.gang,
        preemptible: r.preemptible,
        checkpointInterval: r.interval,
        tasks: [],
        allocations,
      });
    });
    draft.pending[i].forEach((p, k) => {
      jobs.push({
        name: `${leaf}-wait-${k}`,
        queue: leaf,
        user: "u",
        submitTime: 50,
        gang: p.gang,
        tasks: [{ request: { gpu: p.gpu, cpu: p.cpu }, count: p.count }],
      });
    });
  });
  return {
    version: 1,
    time: 100,
    resources: ["gpu", "cpu"],
    nodes: Array.from({ length: draft.nodes }, (_, n) => ({ name: `n-${n}`, capacity: { ...NODE } })),
    queues: [{ name: "root" }, ...queues],
    jobs,
  };
}

interface Outcome {
  state: CoreState;
  index: StateIndex;
  victims: Victim[];
}

/** Runs the scheduling pipeline up to the plan: refresh, fair shares, allocation pass, plan. */
function runPlan(input: Snapshot, engine: Engine): Outcome {
  const { state, index } = loadForScheduling(input);
  preparePreemption(state);
  state.call("refreshState");
  state.call("computeFairShares");
  state.call("schedulePass");
  if (engine === "wasm") state.call("planPreemption");
  else planPreemptionTs(state);
  return { state, index, victims: readVictims(state, index) };
}

/** Returns the plan's observable output: victims, clocks, starvation and reservations. */
function observable({ state, index, victims }: Outcome) {
  return {
    victims,
    clocks: readQueueClocks(state, index),
    starvation: Array.from(state.f64("queue.starvation").subarray(0, index.queues.length * state.dims)),
    reservations: readReservations(state, index),
  };
}

const snapshots = clusterDraft.map(buildSnapshot);
const RUNS = { seed: SEED, numRuns: 150 };

describe("preemption properties", () => {
  test("WASM and TypeScript plans agree", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        expect(observable(runPlan(input, "ts"))).toEqual(observable(runPlan(input, "wasm")));
      }),
      RUNS,
    );
  });

  test("same snapshot gives the same plan", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        expect(observable(runPlan(input, "wasm"))).toEqual(observable(runPlan(input, "wasm")));
      }),
      RUNS,
    );
  });

  test("victim leaves keep fair and min share", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const { state, index, victims } = runPlan(input, "wasm");
        const D = state.dims;
        const usage = state.f64("queue.usage");
        const demand = state.f64("queue.demand");
        const fair = state.f64("queue.fairShare");
        const min = state.f64("queue.minResources");
        const released = new Map<number, number[]>();
        for (const victim of victims) {
          const q = state.i32("job.queue")[state.i32("alloc.job")[victim.alloc]];
          const sum = released.get(q) ?? new Array<number>(D).fill(0);
          for (let d = 0; d < D; d++) sum[d] += state.f64("alloc.request")[victim.alloc * D + d];
          released.set(q, sum);
        }
        for (const [q, sum] of released) {
          let ratio = 0;
          let targets = false;
          for (let d = 0; d < D; d++) {
            const after = usage[q * D + d] - sum[d];
            const target = Math.min(fair[q * D + d], demand[q * D + d]);
            if (target > 0) {
              targets = true;
              ratio = Math.max(ratio, after / target);
            }
            if (sum[d] > 0) {
              expect(after, `${index.queues[q]} min share in ${index.resources[d]}`).toBeGreaterThanOrEqual(
                Math.min(min[q * D + d], demand[q * D + d]) * (1 - 1e-9),
              );
            }
          }
          if (targets) expect(ratio, `${index.queues[q]} fair-share ratio`).toBeGreaterThanOrEqual(1 - 1e-9);
        }
      }),
      RUNS,
    );
  });

  test("plan frees at most starvation plus a task per node", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const { state, index, victims } = runPlan(input, "wasm");
        const D = state.dims;
        const gpu = index.resources.indexOf("gpu");
        const request = state.f64("alloc.request");
        const allocNode = state.i32("alloc.node");
        // Space freed on the nodes the starved tasks are planned on. A gang stops as one unit,
        // so its tasks on a node count as one victim there. Its tasks on other nodes stop with
        // it and are priced, not counted here.
        let freed = 0;
        const units = new Map<string, number>();
        for (const victim of victims) {
          const n = allocNode[victim.alloc];
          if (index.nodes[n] !== victim.forNode) continue;
          const amount = request[victim.alloc * D + gpu];
          freed += amount;
          const gang = input.jobs.find((j) => j.name === victim.job)?.gang === true;
          const unit = gang ? `${n}/${victim.job}` : `${n}/${victim.alloc}`;
          units.set(unit, (units.get(unit) ?? 0) + amount);
        }
        const largestVictim = new Map<number, number>();
        for (const [unit, amount] of units) {
          const n = Number(unit.slice(0, unit.indexOf("/")));
          largestVictim.set(n, Math.max(largestVictim.get(n) ?? 0, amount));
        }
        let bound = 0;
        for (const queue of new Set(victims.map((v) => v.forQueue))) {
          const q = index.queueRow.get(queue)!;
          bound += state.f64("queue.starvation")[q * D + gpu];
          let largestTask = 0;
          const pendingJobs = input.jobs.filter((j) => j.queue === queue);
          for (const job of pendingJobs) for (const task of job.tasks) largestTask = Math.max(largestTask, task.request.gpu ?? 0);
          bound += largestTask;
        }
        for (const largest of largestVictim.values()) bound += largest;
        expect(freed).toBeLessThanOrEqual(bound + 1e-9);
      }),
      RUNS,
    );
  });

  test("freed space fits the reserved tasks", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const { state, index, victims } = runPlan(input, "wasm");
        const D = state.dims;
        const free = Array.from(state.f64("node.free").subarray(0, index.nodes.length * D));
        for (const victim of victims) {
          const n = state.i32("alloc.node")[victim.alloc];
          for (let d = 0; d < D; d++) free[n * D + d] += state.f64("alloc.request")[victim.alloc * D + d];
        }
        for (const reservation of readReservations(state, index)) {
          const n = index.nodeRow.get(reservation.node)!;
          index.resources.forEach((name, d) => {
            expect(free[n * D + d], `${reservation.job} on ${reservation.node}: ${name}`).toBeGreaterThanOrEqual(
              reservation.resources[name] - 1e-9,
            );
          });
        }
      }),
      RUNS,
    );
  });

  test("placing the reserved tasks brings the queue closer", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const { state, index } = runPlan(input, "wasm");
        const D = state.dims;
        const gain = new Map<number, number>();
        for (const reservation of readReservations(state, index)) {
          const q = state.i32("job.queue")[index.jobRow.get(reservation.job)!];
          gain.set(q, (gain.get(q) ?? 0) + Object.values(reservation.resources).reduce((a, b) => a + b, 0));
        }
        for (const [q, amount] of gain) {
          expect(amount, `${index.queues[q]} gains`).toBeGreaterThan(0);
          let starved = false;
          for (let d = 0; d < D; d++) if (state.f64("queue.starvation")[q * D + d] > 0) starved = true;
          expect(starved, `${index.queues[q]} was starved`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test("next pass places the starved queue", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const scheduler = Scheduler.fromSnapshot(input);
        const first = scheduler.schedule();
        if (first.preemptions.length === 0) return;

        const gpuOf = (name: string) => scheduler.shares().find((q) => q.name === name)?.usage.gpu ?? 0;
        const starved = [...new Set(first.preemptions.map((p) => p.forQueue!))];
        const before = new Map(starved.map((q) => [q, gpuOf(q)]));
        for (const preemption of first.preemptions) scheduler.preemptTask(preemption.task);
        scheduler.schedule();

        for (const queue of starved) {
          expect(gpuOf(queue), `${queue} GPUs after the next pass`).toBeGreaterThan(before.get(queue)!);
        }
      }),
      RUNS,
    );
  });

  test("no two jobs preempt each other over 100 passes", () => {
    fc.assert(
      fc.property(snapshots, (input) => {
        const scheduler = Scheduler.fromSnapshot(input);
        const pairs = new Set<string>();
        for (let pass = 0; pass < 100; pass++) {
          scheduler.setTime(100 + 10 * pass);
          const decision = scheduler.schedule();
          for (const preemption of decision.preemptions) {
            expect(pairs.has(`${preemption.job}>${preemption.forJob}`), `${preemption.job} and ${preemption.forJob} swap`).toBe(false);
            pairs.add(`${preemption.forJob}>${preemption.job}`);
          }
          for (const preemption of decision.preemptions) scheduler.preemptTask(preemption.task);
        }
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});
