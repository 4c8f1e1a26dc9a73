// Property tests of the core's fair shares on random queue trees, against the plain-object
// reference and against the rules themselves. Trees have up to 1,000 queues and 1 to 4
// dimensions, with weights of 0, maxima of 0, min above max and inactive queues among them.
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { shareRoot, shareTreeState } from "../bench/fixtures.js";
import type { CoreState } from "../src/core/state.js";
import { computeFairSharesReference, writeShareTree, type ShareQueue } from "../src/reference/fairshare.js";

const MAX_QUEUES = 1000;
const MAX_DIMS = 4;
// A failure is reported without shrinking: shrinking 1,000-queue trees takes minutes.
const SETTINGS = { seed: 20260415, numRuns: 60, endOnFailure: true };

/** Relative tolerance between two computations of the same share. */
const RELATIVE = 1e-9;

interface RandomQueue {
  parentPick: number;
  weight: number;
  min: number[];
  max: number[];
  active: boolean;
}

interface RandomTree {
  capacity: number[];
  queues: RandomQueue[];
}

const weight = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constantFrom(0.5, 1, 2, 3) },
  { weight: 3, arbitrary: fc.double({ min: 0.01, max: 100, noNaN: true }) },
);
const minimum = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 2000, noNaN: true }) },
);
const maximum = fc.oneof(
  { weight: 4, arbitrary: fc.constant(Infinity) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 5000, noNaN: true }) },
);

const randomTree: fc.Arbitrary<RandomTree> = fc.integer({ min: 1, max: MAX_DIMS }).chain((dims) =>
  fc.record({
    capacity: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: dims, maxLength: dims }),
    queues: fc.array(
      fc.record({
        parentPick: fc.nat(),
        weight,
        min: fc.array(minimum, { minLength: dims, maxLength: dims }),
        max: fc.array(maximum, { minLength: dims, maxLength: dims }),
        active: fc.boolean(),
      }),
      { minLength: 0, maxLength: MAX_QUEUES - 1, size: "max" },
    ),
  }),
);

/**
 * Builds the tree: queue i + 1 hangs under one of the queues before it. A parent is active when
 * any child is, as `refreshState` rolls activity up.
 */
function buildTree(random: RandomTree): ShareQueue[] {
  const root = shareRoot(random.capacity.length, false);
  const all = [root];
  const parents = [-1];
  random.queues.forEach((q, i) => {
    const parent = q.parentPick % all.length;
    const queue: ShareQueue = {
      name: `q${i}`,
      weight: q.weight,
      minResources: q.min,
      maxResources: q.max,
      active: q.active,
      children: [],
    };
    all[parent].children.push(queue);
    all.push(queue);
    parents.push(parent);
  });
  for (let i = all.length - 1; i > 0; i--) {
    if (all[i].children.length > 0) all[i].active = all[i].children.some((c) => c.active);
    if (all[i].active) all[parents[i]].active = true;
  }
  return all;
}

/** States by dimension count, each sized for the largest tree and reused across runs. */
const states = new Map<number, CoreState>([[MAX_DIMS, shareTreeState(MAX_QUEUES, MAX_DIMS)]]);

interface CoreResult {
  queues: ShareQueue[];
  steady: Map<string, number[]>;
  fair: Map<string, number[]>;
}

/** Runs the core on the tree and returns both shares by queue name. */
function runCore(random: RandomTree): CoreResult {
  const dims = random.capacity.length;
  let target = states.get(dims);
  if (!target) {
    target = shareTreeState(MAX_QUEUES, dims);
    states.set(dims, target);
  }
  const queues = buildTree(random);
  const names = writeShareTree(target, queues[0], random.capacity);
  target.call("computeFairShares");
  const steadyColumn = target.f64("queue.steadyFairShare");
  const fairColumn = target.f64("queue.fairShare");
  const steady = new Map<string, number[]>();
  const fair = new Map<string, number[]>();
  names.forEach((name, row) => {
    steady.set(name, [...steadyColumn.subarray(row * dims, row * dims + dims)]);
    fair.set(name, [...fairColumn.subarray(row * dims, row * dims + dims)]);
  });
  return { queues, steady, fair };
}

const close = (actual: number, expected: number, scale: number) =>
  Math.abs(actual - expected) <= RELATIVE * Math.max(1, Math.abs(expected), scale);

/** Calls `check` for every parent with children, dimension and both share kinds. */
function forEachDivision(
  result: CoreResult,
  check: (parentShare: number, children: ShareQueue[], shares: number[], d: number) => void,
) {
  const dims = result.queues[0].minResources.length;
  for (const parent of result.queues) {
    if (parent.children.length === 0) continue;
    for (let d = 0; d < dims; d++) {
      check(
        result.steady.get(parent.name)![d],
        parent.children,
        parent.children.map((c) => result.steady.get(c.name)![d]),
        d,
      );
      const active = parent.children.filter((c) => c.active);
      check(
        result.fair.get(parent.name)![d],
        active,
        active.map((c) => result.fair.get(c.name)![d]),
        d,
      );
    }
  }
}

const bounds = (q: ShareQueue, d: number) => {
  const lo = Math.min(q.minResources[d], q.maxResources[d]);
  const fixed = q.weight <= 0 || q.maxResources[d] <= 0;
  return { lo, hi: fixed ? lo : q.maxResources[d], fixed };
};

/** Asserts that the core's steady and instantaneous shares match the reference on every queue and dimension. */
function expectCoreEqualsReference(random: RandomTree): void {
  const result = runCore(random);
  const reference = computeFairSharesReference(result.queues[0], random.capacity);
  for (const q of result.queues) {
    const want = reference.get(q.name)!;
    q.minResources.forEach((_, d) => {
      const scale = random.capacity[d];
      expect(close(result.steady.get(q.name)![d], want.steadyFairShare[d], scale), `${q.name} steady ${d}`).toBe(true);
      expect(close(result.fair.get(q.name)![d], want.fairShare[d], scale), `${q.name} fair ${d}`).toBe(true);
    });
  }
}

describe("fair shares on random trees", () => {
  test("core equals the reference", () => {
    fc.assert(
      fc.property(randomTree, expectCoreEqualsReference),
      SETTINGS,
    );
  });

  test("core equals the reference on wide trees", () => {
    // Every queue under root: hundreds of breakpoints in one division, so the core's
    // quicksort runs as well as its insertion sort.
    const wide = randomTree.map((random) => ({ ...random, queues: random.queues.map((q) => ({ ...q, parentPick: 0 })) }));
    fc.assert(
      fc.property(wide, expectCoreEqualsReference),
      { ...SETTINGS, numRuns: 20 },
    );
  });

  test("children add up to the parent or their maxima", () => {
    fc.assert(
      fc.property(randomTree, (random) => {
        forEachDivision(runCore(random), (share, children, shares, d) => {
          const sumLo = children.reduce((s, c) => s + bounds(c, d).lo, 0);
          const sumHi = children.reduce((s, c) => s + bounds(c, d).hi, 0);
          const target = share <= sumLo ? share : Math.min(share, sumHi);
          const sum = shares.reduce((s, v) => s + v, 0);
          expect(close(sum, target, share)).toBe(true);
        });
      }),
      SETTINGS,
    );
  });

  test("each share within its min and max when the minima fit", () => {
    fc.assert(
      fc.property(randomTree, (random) => {
        forEachDivision(runCore(random), (share, children, shares, d) => {
          const sumLo = children.reduce((s, c) => s + bounds(c, d).lo, 0);
          if (share < sumLo) return;
          children.forEach((c, i) => {
            const { lo, hi } = bounds(c, d);
            expect(shares[i]).toBeGreaterThanOrEqual(lo);
            expect(shares[i]).toBeLessThanOrEqual(hi);
          });
        });
      }),
      SETTINGS,
    );
  });

  test("unclamped siblings proportional to weight", () => {
    fc.assert(
      fc.property(randomTree, (random) => {
        forEachDivision(runCore(random), (share, children, shares, d) => {
          // Compare against the ratio of the heaviest unclamped sibling, whose rounding error
          // is the smallest relative to R.
          const unclamped: Array<{ share: number; weight: number }> = [];
          children.forEach((c, i) => {
            const { lo, hi, fixed } = bounds(c, d);
            const margin = RELATIVE * Math.max(1, share);
            if (fixed || shares[i] <= lo + margin || shares[i] >= hi - margin) return;
            unclamped.push({ share: shares[i], weight: c.weight });
          });
          if (unclamped.length < 2) return;
          const heaviest = unclamped.reduce((a, b) => (b.weight > a.weight ? b : a));
          const ratio = heaviest.share / heaviest.weight;
          for (const u of unclamped) expect(close(u.share, u.weight * ratio, share)).toBe(true);
        });
      }),
      SETTINGS,
    );
  });

  test("inactive queues get no instantaneous share", () => {
    fc.assert(
      fc.property(randomTree, (random) => {
        const result = runCore(random);
        for (const q of result.queues.slice(1)) {
          if (q.active) continue;
          expect(result.fair.get(q.name)!.every((v) => v === 0), q.name).toBe(true);
        }
      }),
      SETTINGS,
    );
  });

  test("steady share ignores activity", () => {
    fc.assert(
      fc.property(randomTree, (random) => {
        const mixed = runCore(random);
        const allActive = runCore({ ...random, queues: random.queues.map((q) => ({ ...q, active: true })) });
        for (const q of mixed.queues) {
          expect(mixed.steady.get(q.name), q.name).toEqual(allActive.steady.get(q.name));
          expect(allActive.fair.get(q.name), q.name).toEqual(allActive.steady.get(q.name));
        }
      }),
      SETTINGS,
    );
  });
});
