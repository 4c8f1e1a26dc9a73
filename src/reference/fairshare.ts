/**
 * Fair shares in plain TypeScript, two ways:
 *
 * - `computeFairSharesReference` works on a tree of plain objects and is written to be read.
 *   It is the oracle the property tests compare the WebAssembly core against.
 * - `computeFairSharesTs` runs the core's algorithm step for step over the same typed columns
 *   and scratch space, as the baseline the benchmark measures the core against.
 *
 * The rule (weighted max-min fairness, as YARN FairScheduler's ComputeFairShares): per
 * dimension, a parent's share P is divided so that child i gets clamp(w_i · R, lo_i, hi_i),
 * where lo_i = min(min_i, max_i), hi_i = max_i (or lo_i when w_i = 0 or max_i = 0), and R makes
 * the children add up to P, or to Σ hi_i when that is less. When Σ lo_i > P every child gets
 * lo_i · P / Σ lo_i, so the children still add up to P (YARN overcommits the parent instead).
 * Shares are real numbers, not truncated to whole units as YARN does.
 */
import type { CoreState } from "../core/state.js";
import { NONE, QUEUE_ACTIVE, QUEUE_LEAF } from "../core/layout.js";

/** A queue of the plain-object tree; vectors are indexed by dimension. */
export interface ShareQueue {
  name: string;
  weight: number;
  minResources: number[];
  /** `Infinity` where the queue is unlimited. */
  maxResources: number[];
  /** Has running or pending work, so it counts for the instantaneous fair share. */
  active: boolean;
  children: ShareQueue[];
}

/** Both fair shares of one queue, indexed by dimension. */
export interface QueueShares {
  steadyFairShare: number[];
  fairShare: number[];
}

/** One child's weight and bounds, the input of a division. */
export interface ShareClaim {
  weight: number;
  min: number;
  /** `Infinity` when unlimited. */
  max: number;
}

/**
 * Computes the steady and instantaneous fair share of every queue under `root`, root included,
 * keyed by queue name. `clusterCapacity` is the root's share in each dimension.
 */
export function computeFairSharesReference(root: ShareQueue, clusterCapacity: number[]): Map<string, QueueShares> {
  const result = new Map<string, QueueShares>();
  result.set(root.name, { steadyFairShare: [...clusterCapacity], fairShare: [...clusterCapacity] });

  const visit = (parent: ShareQueue) => {
    const parentShares = result.get(parent.name)!;
    for (const child of parent.children) {
      result.set(child.name, { steadyFairShare: [], fairShare: [] });
    }

    for (let d = 0; d < clusterCapacity.length; d++) {
      const claim = (q: ShareQueue): ShareClaim => ({ weight: q.weight, min: q.minResources[d], max: q.maxResources[d] });

      const steady = divideShare(parentShares.steadyFairShare[d], parent.children.map(claim));
      parent.children.forEach((child, i) => (result.get(child.name)!.steadyFairShare[d] = steady[i]));

      const active = parent.children.filter((child) => child.active);
      const fair = divideShare(parentShares.fairShare[d], active.map(claim));
      for (const child of parent.children) result.get(child.name)!.fairShare[d] = 0;
      active.forEach((child, i) => (result.get(child.name)!.fairShare[d] = fair[i]));
    }

    for (const child of parent.children) visit(child);
  };
  visit(root);
  return result;
}

/** Divides `share` among `claims` by weighted max-min fairness; returns each claim's part. */
export function divideShare(share: number, claims: ShareClaim[]): number[] {
  const bounds = claims.map((c) => {
    const lo = Math.min(c.min, c.max);
    const fixed = c.weight <= 0 || c.max <= 0;
    return { weight: c.weight, lo, hi: fixed ? lo : c.max, fixed };
  });
  const sumLo = bounds.reduce((sum, b) => sum + b.lo, 0);
  const sumHi = bounds.reduce((sum, b) => sum + b.hi, 0);

  // 1. The minima do not fit: every child gets the same fraction of its min.
  if (share <= sumLo) {
    const scale = sumLo > 0 ? share / sumLo : 0;
    return bounds.map((b) => b.lo * scale);
  }

  // 2. Every child fits at its max.
  if (share >= sumHi) return bounds.map((b) => b.hi);

  // 3. S(R), the sum of clamped weighted shares, is piecewise linear and non-decreasing. Find
  //    the first breakpoint where it reaches `share` (binary search over the sorted
  //    breakpoints), then interpolate on the segment that ends there.
  const at = (ratio: number) =>
    bounds.reduce((sum, b) => sum + (b.fixed ? b.lo : Math.min(b.hi, Math.max(b.lo, b.weight * ratio))), 0);

  const breakpoints = [0];
  for (const b of bounds) {
    if (b.fixed) continue;
    breakpoints.push(b.lo / b.weight);
    if (Number.isFinite(b.hi)) breakpoints.push(b.hi / b.weight);
  }
  breakpoints.sort((a, b) => a - b);

  let low = 0;
  let high = breakpoints.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (at(breakpoints[mid]) >= share) high = mid;
    else low = mid + 1;
  }

  let ratio: number;
  if (low === breakpoints.length) {
    // Past the last breakpoint only unlimited children grow, at the rate of their weights.
    const start = breakpoints[breakpoints.length - 1];
    const slope = bounds.reduce((sum, b) => sum + (!b.fixed && b.hi === Infinity ? b.weight : 0), 0);
    ratio = start + (share - at(start)) / slope;
  } else {
    const end = breakpoints[low];
    const start = low > 0 ? breakpoints[low - 1] : 0;
    const sumStart = at(start);
    const sumEnd = at(end);
    ratio = sumEnd === sumStart ? end : start + ((share - sumStart) * (end - start)) / (sumEnd - sumStart);
  }

  return bounds.map((b) => (b.fixed ? b.lo : Math.min(b.hi, Math.max(b.lo, b.weight * ratio))));
}

/** Breakpoint ranges of at most this many entries are sorted by insertion, as in the core. */
const INSERTION_SORT_MAX = 16;

/** Typed columns one run of `computeFairSharesTs` reads and writes. */
interface Columns {
  dims: number;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  flags: Uint8Array;
  weight: Float64Array;
  minResources: Float64Array;
  maxResources: Float64Array;
  steady: Float64Array;
  fair: Float64Array;
  children: Int32Array;
  keys: Float64Array;
  deltas: Float64Array;
}

/**
 * Computes both fair shares over the state's typed columns with the core's algorithm and code
 * shape (same scratch columns, same sort), so a benchmark compares languages, not algorithms.
 * Call the core's `refreshState` first so QUEUE_ACTIVE is current.
 */
export function computeFairSharesTs(state: CoreState): void {
  const queues = state.i32("header.queueCount")[0];
  if (queues <= 0) return;
  const dims = state.dims;
  const columns: Columns = {
    dims,
    firstChild: state.i32("queue.firstChild"),
    nextSibling: state.i32("queue.nextSibling"),
    flags: state.u8("queue.flags"),
    weight: state.f64("queue.weight"),
    minResources: state.f64("queue.minResources"),
    maxResources: state.f64("queue.maxResources"),
    steady: state.f64("queue.steadyFairShare"),
    fair: state.f64("queue.fairShare"),
    children: state.i32("scratch.i32b"),
    keys: state.f64("scratch.f64a"),
    deltas: state.f64("scratch.f64b"),
  };
  const { firstChild, nextSibling, flags, steady, fair, children } = columns;

  // 1. Root owns the whole cluster under both rules.
  const capacity = state.f64("header.clusterCapacity");
  for (let d = 0; d < dims; d++) {
    steady[d] = capacity[d];
    fair[d] = capacity[d];
  }

  // 2. Parents come before children, so each parent divides shares that are already final.
  for (let p = 0; p < queues; p++) {
    const first = firstChild[p];
    if (first === NONE) continue;

    let count = 0;
    for (let c = first; c !== NONE; c = nextSibling[c]) children[count++] = c;
    let activeEnd = count;
    for (let k = 0; k < count; k++) {
      const c = children[k];
      if ((flags[c] & QUEUE_ACTIVE) !== 0) {
        children[activeEnd++] = c;
        continue;
      }
      for (let d = 0; d < dims; d++) fair[c * dims + d] = 0;
    }

    for (let d = 0; d < dims; d++) {
      divideShareTs(columns, steady[p * dims + d], 0, count, d, steady);
      if (activeEnd === count) continue;
      divideShareTs(columns, fair[p * dims + d], count, activeEnd, d, fair);
    }
  }
}

function divideShareTs(columns: Columns, share: number, from: number, to: number, d: number, out: Float64Array): void {
  const { dims, weight, minResources, maxResources, children, keys, deltas } = columns;

  let sumLo = 0;
  let sumHi = 0;
  let slope = 0;
  let events = 0;
  for (let k = from; k < to; k++) {
    const c = children[k];
    const w = weight[c];
    const hi = maxResources[c * dims + d];
    const min = minResources[c * dims + d];
    const lo = min < hi ? min : hi;
    const growing = w > 0 && hi > 0;
    const starts = lo > 0;
    sumLo += lo;
    sumHi += growing ? hi : lo;
    if (growing && !starts) slope += w;

    keys[events] = lo / w;
    deltas[events] = w;
    if (growing && starts) events++;
    keys[events] = hi / w;
    deltas[events] = -w;
    if (growing && hi < Infinity) events++;
  }

  if (share <= sumLo) {
    const scale = sumLo > 0 ? share / sumLo : 0;
    for (let k = from; k < to; k++) {
      const c = children[k];
      const hi = maxResources[c * dims + d];
      const min = minResources[c * dims + d];
      out[c * dims + d] = (min < hi ? min : hi) * scale;
    }
    return;
  }

  let ratio: number;
  if (share >= sumHi) {
    ratio = Infinity;
  } else if (events === 0) {
    ratio = (share - sumLo) / slope;
  } else {
    sortBreakpoints(keys, deltas, 0, events - 1);
    ratio = solveRatio(keys, deltas, share, sumLo, slope, events);
  }

  for (let k = from; k < to; k++) {
    const c = children[k];
    const w = weight[c];
    const hi = maxResources[c * dims + d];
    const min = minResources[c * dims + d];
    const lo = min < hi ? min : hi;
    let value = w * ratio;
    value = value < lo ? lo : value;
    value = value > hi ? hi : value;
    out[c * dims + d] = w > 0 && hi > 0 ? value : lo;
  }
}

function solveRatio(
  keys: Float64Array,
  deltas: Float64Array,
  share: number,
  sumLo: number,
  slope: number,
  events: number,
): number {
  let r = 0;
  let s = sumLo;
  for (let e = 0; e < events; e++) {
    const x = keys[e];
    const next = s + slope * (x - r);
    if (next >= share) return r + (share - s) / slope;
    s = next;
    r = x;
    slope += deltas[e];
  }
  if (slope <= 0) return r;
  return r + (share - s) / slope;
}

function sortBreakpoints(keys: Float64Array, deltas: Float64Array, lo: number, hi: number): void {
  while (hi - lo >= INSERTION_SORT_MAX) {
    const mid = lo + ((hi - lo) >> 1);
    if (keys[mid] < keys[lo]) swap(keys, deltas, mid, lo);
    if (keys[hi] < keys[lo]) swap(keys, deltas, hi, lo);
    if (keys[hi] < keys[mid]) swap(keys, deltas, hi, mid);
    const pivot = keys[mid];
    let i = lo - 1;
    let j = hi + 1;
    while (true) {
      do i++;
      while (keys[i] < pivot);
      do j--;
      while (keys[j] > pivot);
      if (i >= j) break;
      swap(keys, deltas, i, j);
    }
    if (j - lo < hi - j) {
      sortBreakpoints(keys, deltas, lo, j);
      lo = j + 1;
    } else {
      sortBreakpoints(keys, deltas, j + 1, hi);
      hi = j;
    }
  }

  for (let i = lo + 1; i <= hi; i++) {
    const key = keys[i];
    const delta = deltas[i];
    let j = i - 1;
    while (j >= lo && keys[j] > key) {
      keys[j + 1] = keys[j];
      deltas[j + 1] = deltas[j];
      j--;
    }
    keys[j + 1] = key;
    deltas[j + 1] = delta;
  }
}

function swap(keys: Float64Array, deltas: Float64Array, a: number, b: number): void {
  const key = keys[a];
  keys[a] = keys[b];
  keys[b] = key;
  const delta = deltas[a];
  deltas[a] = deltas[b];
  deltas[b] = delta;
}

/**
 * Writes a plain-object tree into the state's queue columns and header (queue count, cluster
 * capacity), rows in breadth-first order with root at row 0, children linked in array order.
 * Sets QUEUE_ACTIVE from `active` and QUEUE_LEAF on queues without children. Returns the
 * queue names by row. Throws a RangeError when the state has too few queue or scratch rows.
 */
export function writeShareTree(state: CoreState, root: ShareQueue, clusterCapacity: number[]): string[] {
  const order: ShareQueue[] = [root];
  for (let i = 0; i < order.length; i++) order.push(...order[i].children);

  const { queue: queueRows, scratch: scratchRows, dims } = state.capacities;
  if (order.length > queueRows || 2 * order.length > scratchRows) {
    throw new RangeError(
      `tree of ${order.length} queues needs ${order.length} queue rows and ${2 * order.length} scratch rows, ` +
        `the state has ${queueRows} and ${scratchRows}; create the state with larger capacities`,
    );
  }
  if (clusterCapacity.length !== dims) {
    throw new RangeError(`cluster capacity has ${clusterCapacity.length} dimensions, the state has ${dims}`);
  }

  const parent = state.i32("queue.parent");
  const firstChild = state.i32("queue.firstChild");
  const nextSibling = state.i32("queue.nextSibling");
  const depth = state.i32("queue.depth");
  const flags = state.u8("queue.flags");
  const weight = state.f64("queue.weight");
  const minResources = state.f64("queue.minResources");
  const maxResources = state.f64("queue.maxResources");

  const rows = new Map<ShareQueue, number>(order.map((q, i) => [q, i]));
  order.forEach((q, i) => {
    parent[i] = NONE;
    depth[i] = 0;
    firstChild[i] = q.children.length > 0 ? rows.get(q.children[0])! : NONE;
    nextSibling[i] = NONE;
    flags[i] = (q.children.length === 0 ? QUEUE_LEAF : 0) | (q.active ? QUEUE_ACTIVE : 0);
    weight[i] = q.weight;
    for (let d = 0; d < dims; d++) {
      minResources[i * dims + d] = q.minResources[d];
      maxResources[i * dims + d] = q.maxResources[d];
    }
  });
  order.forEach((q, i) => {
    q.children.forEach((child, k) => {
      const row = rows.get(child)!;
      parent[row] = i;
      depth[row] = depth[i] + 1;
      nextSibling[row] = k + 1 < q.children.length ? rows.get(q.children[k + 1])! : NONE;
    });
  });

  state.i32("header.queueCount")[0] = order.length;
  state.i32("header.scratchCapacity")[0] = scratchRows;
  state.f64("header.clusterCapacity").set(clusterCapacity);
  return order.map((q) => q.name);
}
