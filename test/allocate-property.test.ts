// Property tests of the allocation pass over generated snapshots (fast-check, fixed seed): the
// WebAssembly pass and the TypeScript reference decide exactly alike, and every decision keeps
// node capacity, queue maxResources, gang atomicity and a reason for every pending job.
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { JOB_GANG, REASON_NONE } from "../src/core/layout.js";
import type { CoreState } from "../src/core/state.js";
import type { JobSpec, NodeSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { explainPendingReference, schedulePassReference } from "../src/reference/allocate.js";
import { decide, loadForScheduling, preparePass } from "../src/scheduler.js";

const RUNS = 60;
const SEED = 20240611;
const LEAVES = ["root.a.x", "root.a.y", "root.b"];
const TYPES = ["A100", "H100", "V100"];

const nodeArb = fc.record({
  gpu: fc.constantFrom(0, 4, 8, 8),
  cpu: fc.integer({ min: 8, max: 64 }),
  memory: fc.constantFrom(65536, 262144, 524288),
  type: fc.constantFrom(undefined, ...TYPES),
  rack: fc.integer({ min: 0, max: 2 }),
  domain: fc.integer({ min: 0, max: 1 }),
  pool: fc.constantFrom(undefined, "a", "b"),
});

const groupArb = fc.record({
  gpu: fc.constantFrom(0, 1, 1, 2, 4, 8, 16),
  cpu: fc.integer({ min: 1, max: 16 }),
  memory: fc.constantFrom(1024, 16384, 65536),
  count: fc.integer({ min: 1, max: 6 }),
  types: fc.constantFrom(undefined, undefined, undefined, ["A100"], ["H100", "V100"], ["B200"]),
  pool: fc.constantFrom(undefined, undefined, undefined, "a"),
  am: fc.constantFrom(false, false, false, true),
});

const jobArb = fc.record({
  leaf: fc.constantFrom(...LEAVES),
  submit: fc.integer({ min: 0, max: 20 }),
  priority: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom("plain", "plain", "gang", "elastic"),
  groups: fc.array(groupArb, { minLength: 1, maxLength: 2 }),
  locality: fc.constantFrom(undefined, undefined, "z/rack-0", "z/rack-1/nvl-0"),
});

const queueArb = fc.record({
  weight: fc.constantFrom(0, 1, 2, 3),
  maxGpu: fc.constantFrom(undefined, undefined, undefined, 0, 8, 16, 32),
  minGpu: fc.constantFrom(undefined, undefined, 4, 8),
  maxApps: fc.constantFrom(undefined, undefined, undefined, 0, 1, 2),
  policy: fc.constantFrom("fair", "drf", "fifo"),
});

const snapshotArb = fc
  .record({
    nodes: fc.array(nodeArb, { minLength: 1, maxLength: 16 }),
    cordoned: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    queues: fc.array(queueArb, { minLength: 5, maxLength: 5 }),
    jobs: fc.array(jobArb, { minLength: 1, maxLength: 14 }),
    threshold: fc.constantFrom(0, 0.2, 0.5),
    userApps: fc.constantFrom(undefined, undefined, 1, 2),
  })
  .map(({ nodes, cordoned, queues, jobs, threshold, userApps }) => ({
    snapshot: {
      ...buildSnapshot(nodes, cordoned, queues, jobs),
      ...(userApps !== undefined ? { users: { u0: { maxRunningApps: userApps } }, userMaxAppsDefault: userApps + 1 } : {}),
    },
    threshold,
  }));

type Shape<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** Builds a valid snapshot: three leaves under root.a and root; one node in four may be cordoned. */
function buildSnapshot(
  nodes: Shape<typeof nodeArb>[],
  cordoned: boolean[],
  queues: Shape<typeof queueArb>[],
  jobs: Shape<typeof jobArb>[],
): Snapshot {
  const nodeSpecs: NodeSpec[] = nodes.map((n, i) => ({
    name: `n${i}`,
    capacity: { gpu: n.gpu, cpu: n.cpu, memory: n.memory },
    ...(n.type && n.gpu > 0 ? { gpuType: n.type } : {}),
    topology: `z/rack-${n.rack}/nvl-${n.domain}`,
    ...(n.pool ? { labels: { pool: n.pool } } : {}),
    schedulable: !(cordoned[i] && i % 4 === 3),
  }));
  const names = ["root.a", "root.a.x", "root.a.y", "root.b", "root"];
  const queueSpecs: QueueSpec[] = names.map((name, i) => {
    // Root keeps no limits, so most generated clusters place something.
    const q = name === "root" ? { ...queues[i], maxGpu: undefined, maxApps: undefined } : queues[i];
    return {
      name,
      weight: q.weight,
      schedulingPolicy: q.policy as QueueSpec["schedulingPolicy"],
      ...(q.maxGpu !== undefined ? { maxResources: { gpu: q.maxGpu } } : {}),
      ...(q.minGpu !== undefined ? { minResources: { gpu: q.minGpu } } : {}),
      ...(q.maxApps !== undefined ? { maxRunningApps: q.maxApps } : {}),
    };
  });
  queueSpecs.unshift(queueSpecs.pop()!);
  const jobSpecs: JobSpec[] = jobs.map((j, i) => {
    const pending = j.groups.reduce((sum, g) => sum + g.count, 0);
    return {
      name: `job-${String(i).padStart(2, "0")}`,
      queue: j.leaf,
      user: `u${i % 3}`,
      submitTime: j.submit,
      priority: j.priority,
      gang: j.kind === "gang",
      ...(j.kind === "elastic" ? { elastic: { min: Math.max(1, pending - 1), max: pending } } : {}),
      ...(j.locality ? { locality: j.locality } : {}),
      tasks: j.groups.map((g) => ({
        request: { gpu: g.gpu, cpu: g.cpu, memory: g.memory },
        count: g.count,
        ...(g.types ? { gpuTypes: g.types } : {}),
        ...(g.pool ? { nodeSelector: { pool: g.pool } } : {}),
        ...(g.am ? { am: true } : {}),
      })),
    };
  });
  return { version: 1, time: 30, resources: ["gpu", "cpu", "memory"], nodes: nodeSpecs, queues: queueSpecs, jobs: jobSpecs };
}

/**
 * Runs one pass with the WebAssembly core or the TypeScript reference and returns the state.
 * `reserve` edits the state after loading (for example to add preemption reservations).
 */
function runPass(snapshot: Snapshot, threshold: number, engine: "wasm" | "ts", reserve?: (state: CoreState) => void): CoreState {
  const { state } = loadForScheduling(snapshot, { localityThreshold: threshold });
  reserve?.(state);
  preparePass(state, true);
  if (engine === "wasm") {
    state.call("schedulePass");
    state.call("explainPending");
  } else {
    schedulePassReference(state);
    explainPendingReference(state);
  }
  return state;
}

/** Returns what a pass decided: placements (job, group, node) and each job's reason columns. */
function outcome(state: CoreState) {
  const count = state.i32("header.placementCount")[0];
  const jobs = state.i32("header.jobCount")[0];
  return {
    placements: Array.from({ length: count }, (_, p) => [
      state.i32("placement.job")[p],
      state.i32("placement.group")[p],
      state.i32("placement.node")[p],
    ]),
    reasons: Array.from({ length: jobs }, (_, j) => [
      state.i32("job.reason")[j],
      state.i32("job.reasonQueue")[j],
      state.i32("job.reasonDim")[j],
      state.f64("job.reasonValue")[j],
      state.f64("job.reasonLimit")[j],
      state.i32("job.missedOffers")[j],
    ]),
  };
}

const params = { seed: SEED, numRuns: RUNS };

describe("allocation pass properties", () => {
  test("wasm and reference agree", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        expect(outcome(runPass(snapshot, threshold, "ts"))).toEqual(outcome(runPass(snapshot, threshold, "wasm")));
      }),
      params,
    );
  });

  test("no node over capacity", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        const state = runPass(snapshot, threshold, "wasm");
        const free = state.f64("node.free");
        for (let k = 0; k < snapshot.nodes.length * state.dims; k++) expect(free[k]).toBeGreaterThanOrEqual(0);
      }),
      params,
    );
  });

  test("no queue over maxResources", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        const state = runPass(snapshot, threshold, "wasm");
        const usage = state.f64("queue.usage");
        const max = state.f64("queue.maxResources");
        const queues = state.i32("header.queueCount")[0];
        for (let k = 0; k < queues * state.dims; k++) expect(usage[k]).toBeLessThanOrEqual(max[k]);
      }),
      params,
    );
  });

  test("no partial gang", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        const state = runPass(snapshot, threshold, "wasm");
        const flags = state.u8("job.flags");
        snapshot.jobs.forEach((job, j) => {
          if ((flags[j] & JOB_GANG) === 0) return;
          const total = job.tasks.reduce((sum, t) => sum + t.count, 0);
          expect([0, total]).toContain(state.i32("job.runningTasks")[j]);
        });
      }),
      params,
    );
  });

  test("every pending job has a reason", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        const state = runPass(snapshot, threshold, "wasm");
        const pending = state.i32("job.pendingTasks");
        const reason = state.i32("job.reason");
        snapshot.jobs.forEach((_, j) => {
          if (pending[j] > 0) expect(reason[j]).not.toBe(REASON_NONE);
        });
      }),
      params,
    );
  });

  test("wasm and reference agree on gangs that lost members", () => {
    const member = { gpu: 8, cpu: 1, memory: 1024 };
    const nodes: NodeSpec[] = ["n0", "n1", "n2"].map((name) => ({ name, capacity: { gpu: 8, cpu: 64, memory: 524288 }, topology: "z/rack-0/nvl-0" }));
    const jobs: JobSpec[] = [
      { name: "fresh", queue: "root.b", user: "u", submitTime: 0, tasks: [{ request: member, count: 1 }] },
      { name: "gang", queue: "root.a", user: "u", submitTime: 5, gang: true, tasks: [{ request: member, count: 1 }], allocations: [{ node: "n0", request: member }] },
      { name: "other", queue: "root.b", user: "u", submitTime: 1, tasks: [{ request: member, count: 1 }], allocations: [{ node: "n2", request: member }] },
    ];
    const snapshot: Snapshot = { version: 1, time: 30, resources: ["gpu", "cpu", "memory"], nodes, queues: [{ name: "root.a" }, { name: "root.b" }], jobs };
    expect(outcome(runPass(snapshot, 0, "ts"))).toEqual(outcome(runPass(snapshot, 0, "wasm")));
  });

  test("wasm and reference agree on reservations", () => {
    fc.assert(
      fc.property(snapshotArb, fc.nat(), fc.nat(), ({ snapshot, threshold }, nodePick, jobPick) => {
        // Reserve half of one node for one job until after the pass.
        const reserve = (state: CoreState) => {
          const n = nodePick % snapshot.nodes.length;
          state.i32("node.reservedFor")[n] = jobPick % snapshot.jobs.length;
          state.f64("node.reservedUntil")[n] = snapshot.time + 10;
          const capacity = state.f64("node.capacity");
          for (let d = 0; d < state.dims; d++) state.f64("node.reserved")[n * state.dims + d] = capacity[n * state.dims + d] / 2;
        };
        const ts = runPass(snapshot, threshold, "ts", reserve);
        const wasm = runPass(snapshot, threshold, "wasm", reserve);
        expect(outcome(ts)).toEqual(outcome(wasm));
        expect(Array.from(ts.f64("node.reserved"))).toEqual(Array.from(wasm.f64("node.reserved")));
      }),
      { ...params, numRuns: 30 },
    );
  });

  test("topology orders are sorted", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot }) => {
        const { state } = loadForScheduling(snapshot);
        state.call("buildTopologyOrders");
        const rack = state.i32("node.rack");
        const domain = state.i32("node.domain");
        const key = (n: number) => [rack[n], domain[n], n];
        const byRack = Array.from(state.i32("node.byRack").slice(0, snapshot.nodes.length));
        const sorted = [...byRack].sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
        });
        expect(byRack).toEqual(sorted);
      }),
      { ...params, numRuns: 20 },
    );
  });

  test("same input gives same decision", () => {
    fc.assert(
      fc.property(snapshotArb, ({ snapshot, threshold }) => {
        expect(decide(snapshot, { localityThreshold: threshold })).toEqual(decide(snapshot, { localityThreshold: threshold }));
      }),
      { ...params, numRuns: 20 },
    );
  });
});
