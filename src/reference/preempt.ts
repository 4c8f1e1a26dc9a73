/**
 * Preemption planning in plain TypeScript over the same typed columns as the WebAssembly core
 * (`assembly/starvation.ts`, `assembly/victims.ts`), step for step, so the tests can require
 * identical plans and the benchmark can measure one against the other. The rules are written
 * out in the header of `assembly/victims.ts`; this file repeats only what differs in form.
 */
import type { CoreState } from "../core/state.js";
import {
  ALLOC_LIVE,
  JOB_ELASTIC,
  JOB_GANG,
  JOB_PREEMPTIBLE,
  JOB_RUNNING,
  NODE_SCHEDULABLE,
  NONE,
  QUEUE_LEAF,
  QUEUE_PREEMPTABLE,
  STARVED_FAIR_SHARE,
  STARVED_MIN_SHARE,
  TASK_AM,
} from "../core/layout.js";
import { jobOrderingReference } from "./allocate.js";

/** Relative tolerance of share comparisons, as the core's SHARE_TOLERANCE. */
export const SHARE_TOLERANCE = 1e-9;
const FIT_TOLERANCE = 1e-9;

/** `alloc.preemptState` values. */
export const PREEMPT_CANDIDATE = 0;
export const PREEMPT_VICTIM = 1;
export const PREEMPT_TENTATIVE = 2;
export const PREEMPT_EXCLUDED = 3;

const CANDIDATE = PREEMPT_CANDIDATE;
const VICTIM = PREEMPT_VICTIM;
const TENTATIVE = PREEMPT_TENTATIVE;
const EXCLUDED = PREEMPT_EXCLUDED;
const I32_MIN = -2147483648;

/** Runs the core's updateStarvation in TypeScript; returns the number of starved leaves. */
export function updateStarvationTs(state: CoreState): number {
  return new Planner(state).updateStarvation();
}

/** Runs the core's planPreemption in TypeScript; returns the number of victim rows. */
export function planPreemptionTs(state: CoreState): number {
  return new Planner(state).plan();
}

class Planner {
  private readonly D: number;
  private readonly header: { i32: (k: string) => Int32Array; f64: (k: string) => Float64Array };
  private readonly q: {
    parent: Int32Array; depth: Int32Array; flags: Uint8Array; usage: Float64Array; demand: Float64Array;
    min: Float64Array; fair: Float64Array; threshold: Float64Array; minTimeout: Float64Array; fairTimeout: Float64Array;
    belowMin: Float64Array; belowFair: Float64Array; starvedFor: Uint8Array; starvation: Float64Array;
    need: Float64Array; release: Float64Array;
  };
  private readonly n: {
    flags: Uint8Array; gpuType: Int32Array; labels: Int32Array; capacity: Float64Array; free: Float64Array;
    reservedFor: Int32Array; reservedUntil: Float64Array; reserved: Float64Array; firstAlloc: Int32Array; planFree: Float64Array;
    lostRate: Float64Array; order: Int32Array;
  };
  private readonly j: {
    queue: Int32Array; flags: Uint8Array; priority: Int32Array; checkpointInterval: Float64Array; firstGroup: Int32Array;
    groupCount: Int32Array; pendingTasks: Int32Array; elasticMin: Int32Array; usage: Float64Array; lostWork: Float64Array;
    reservations: Int32Array; firstAlloc: Int32Array;
  };
  private readonly g: { pending: Int32Array; gpuTypes: Int32Array; labels: Int32Array; request: Float64Array; job: Int32Array };
  private readonly a: {
    job: Int32Array; node: Int32Array; flags: Uint8Array; startTime: Float64Array; lastCheckpoint: Float64Array;
    request: Float64Array; next: Int32Array; nextOfJob: Int32Array; state: Uint8Array; lostWork: Float64Array;
  };
  private readonly v: { alloc: Int32Array; forJob: Int32Array; reason: Int32Array; forNode: Int32Array; forQueue: Int32Array };
  private readonly scratchA: Int32Array;
  private readonly scratchB: Int32Array;
  private readonly scratchC: Int32Array;
  private readonly scratchF64a: Float64Array;
  private readonly scratchF64b: Float64Array;
  private readonly queuePolicy: Uint8Array;
  private readonly jobHeapKey: Float64Array;
  private readonly clusterCapacity: Float64Array;
  private readonly now: number;
  private readonly reservationTimeout: number;
  private costDim = 0;
  /** Upper bound of every node's planFree in the cost dimension, raised when space is freed. */
  private maxFreeBound = 0;
  /** Whether space was taken on the node that may hold the maximum, so the bound needs recomputing. */
  private freeBoundStale = false;
  /** The node search of the current placeTask call. */
  private readonly task = {
    job: 0, group: 0, queue: 0, types: 0, labels: 0, request: 0, minDeficit: 0,
    best: NONE, bestCost: Infinity, bestHasAm: false, bestPriority: 0, bestOldest: 0,
  };
  private setHasAm = false;
  private setPriority = 0;
  private setOldest = 0;

  constructor(private readonly state: CoreState) {
    const s = state;
    this.D = s.dims;

    this.header = { i32: (k) => s.i32(`header.${k}`), f64: (k) => s.f64(`header.${k}`) };
    this.q = {
      parent: s.i32("queue.parent"), depth: s.i32("queue.depth"), flags: s.u8("queue.flags"), usage: s.f64("queue.usage"),
      demand: s.f64("queue.demand"), min: s.f64("queue.minResources"), fair: s.f64("queue.fairShare"),
      threshold: s.f64("queue.fairShareThreshold"), minTimeout: s.f64("queue.minShareTimeout"),
      fairTimeout: s.f64("queue.fairShareTimeout"), belowMin: s.f64("queue.belowMinSince"), belowFair: s.f64("queue.belowFairSince"),
      starvedFor: s.u8("queue.starvedFor"), starvation: s.f64("queue.starvation"), need: s.f64("queue.preemptNeed"),
      release: s.f64("queue.preemptRelease"),
    };
    this.n = {
      flags: s.u8("node.flags"), gpuType: s.i32("node.gpuType"), labels: s.i32("node.labels"), capacity: s.f64("node.capacity"),
      free: s.f64("node.free"), reservedFor: s.i32("node.reservedFor"), reservedUntil: s.f64("node.reservedUntil"),
      reserved: s.f64("node.reserved"), firstAlloc: s.i32("node.firstAlloc"), planFree: s.f64("node.planFree"),
      lostRate: s.f64("node.lostRate"), order: s.i32("node.preemptOrder"),
    };
    this.j = {
      queue: s.i32("job.queue"), flags: s.u8("job.flags"), priority: s.i32("job.priority"),
      checkpointInterval: s.f64("job.checkpointInterval"), firstGroup: s.i32("job.firstGroup"), groupCount: s.i32("job.groupCount"),
      pendingTasks: s.i32("job.pendingTasks"), elasticMin: s.i32("job.elasticMin"), usage: s.f64("job.usage"),
      lostWork: s.f64("job.lostWork"), reservations: s.i32("job.reservations"), firstAlloc: s.i32("job.firstAlloc"),
    };
    this.g = {
      pending: s.i32("group.pending"), gpuTypes: s.i32("group.gpuTypes"), labels: s.i32("group.labels"),
      request: s.f64("group.request"), job: s.i32("group.job"),
    };
    this.a = {
      job: s.i32("alloc.job"), node: s.i32("alloc.node"), flags: s.u8("alloc.flags"), startTime: s.f64("alloc.startTime"),
      lastCheckpoint: s.f64("alloc.lastCheckpoint"), request: s.f64("alloc.request"), next: s.i32("alloc.nextOnNode"),
      nextOfJob: s.i32("alloc.nextOfJob"),
      state: s.u8("alloc.preemptState"), lostWork: s.f64("alloc.lostWork"),
    };
    this.v = {
      alloc: s.i32("victim.alloc"), forJob: s.i32("victim.forJob"), reason: s.i32("victim.reason"),
      forNode: s.i32("victim.forNode"), forQueue: s.i32("victim.forQueue"),
    };
    this.scratchA = s.i32("scratch.i32a");
    this.scratchB = s.i32("scratch.i32b");
    this.scratchC = s.i32("scratch.i32c");
    this.scratchF64a = s.f64("scratch.f64a");
    this.scratchF64b = s.f64("scratch.f64b");
    this.queuePolicy = s.u8("queue.policy");
    this.jobHeapKey = s.f64("job.heapKey");
    this.clusterCapacity = s.f64("header.clusterCapacity");
    this.now = s.f64("header.time")[0];
    this.reservationTimeout = s.f64("header.reservationTimeout")[0];
  }

  private count(name: string): number {
    return this.header.i32(name)[0];
  }

  private get victimCount(): number {
    return this.header.i32("victimCount")[0];
  }

  private set victimCount(value: number) {
    this.header.i32("victimCount")[0] = value;
  }

  updateStarvation(): number {
    const { D, now } = this;
    const q = this.q;
    const queues = this.count("queueCount");
    let starvedLeaves = 0;
    for (let i = 0; i < queues; i++) {
      // 1. Compare usage with both shares, each capped by demand.
      let belowMin = false;
      let fairTargets = false;
      let fairRatio = 0;
      for (let d = 0; d < D; d++) {
        const demand = q.demand[i * D + d];
        if (demand <= 0) continue;
        const usage = q.usage[i * D + d];
        const minTarget = Math.min(q.min[i * D + d], demand);
        if (usage < minTarget * (1 - SHARE_TOLERANCE)) belowMin = true;
        const fairTarget = Math.min(q.fair[i * D + d], demand);
        if (fairTarget > 0) {
          fairTargets = true;
          fairRatio = Math.max(fairRatio, usage / fairTarget);
        }
      }
      const threshold = q.threshold[i];
      const belowFair = fairTargets && fairRatio < threshold * (1 - SHARE_TOLERANCE);

      // 2. Move the clocks.
      let minSince = q.belowMin[i];
      if (!belowMin) minSince = NaN;
      else if (Number.isNaN(minSince)) minSince = now;
      q.belowMin[i] = minSince;
      let fairSince = q.belowFair[i];
      if (!belowFair) fairSince = NaN;
      else if (Number.isNaN(fairSince)) fairSince = now;
      q.belowFair[i] = fairSince;

      // 3. Starvation vector of leaves whose timeout has passed.
      let starvedFor = 0;
      if (q.flags[i] & QUEUE_LEAF) {
        if (belowMin && now - minSince >= q.minTimeout[i]) starvedFor |= STARVED_MIN_SHARE;
        if (belowFair && now - fairSince >= q.fairTimeout[i]) starvedFor |= STARVED_FAIR_SHARE;
      }
      q.starvedFor[i] = starvedFor;
      let starved = false;
      for (let d = 0; d < D; d++) {
        let deficit = 0;
        if (starvedFor !== 0) {
          const demand = q.demand[i * D + d];
          const usage = q.usage[i * D + d];
          if (starvedFor & STARVED_MIN_SHARE) deficit = Math.max(deficit, Math.min(q.min[i * D + d], demand) - usage);
          if (starvedFor & STARVED_FAIR_SHARE) deficit = Math.max(deficit, threshold * Math.min(q.fair[i * D + d], demand) - usage);
          deficit = Math.min(deficit, demand - usage);
          if (deficit < 0) deficit = 0;
        }
        if (deficit > 0) starved = true;
        q.starvation[i * D + d] = deficit;
        q.need[i * D + d] = deficit;
      }
      if (starved) starvedLeaves++;
    }
    return starvedLeaves;
  }

  plan(): number {
    this.victimCount = 0;
    const starvedLeaves = this.updateStarvation();
    const { D, now, n, j: job, a: alloc } = this;
    const nodes = this.count("nodeCount");
    const jobs = this.count("jobCount");
    const queues = this.count("queueCount");

    // 2. Reservations.
    for (let j = 0; j < jobs; j++) job.reservations[j] = 0;
    for (let i = 0; i < nodes; i++) {
      const holder = n.reservedFor[i];
      if (n.reservedUntil[i] > now && holder >= 0 && holder < jobs && job.pendingTasks[holder] > 0) {
        job.reservations[holder]++;
        continue;
      }
      this.clearReservation(i);
    }
    if (starvedLeaves === 0) return 0;

    // 3. Work space.
    const gpuDim = this.count("gpuDim");
    const costDim = gpuDim === NONE ? 0 : gpuDim;
    this.costDim = costDim;
    this.maxFreeBound = 0;
    this.freeBoundStale = false;
    for (let i = 0; i < nodes; i++) {
      n.firstAlloc[i] = NONE;
      n.lostRate[i] = Infinity;
      for (let d = 0; d < D; d++) n.planFree[i * D + d] = n.free[i * D + d] - n.reserved[i * D + d];
      this.maxFreeBound = Math.max(this.maxFreeBound, n.planFree[i * D + costDim]);
    }
    this.q.release.fill(0, 0, queues * D);
    for (let j = 0; j < jobs; j++) {
      job.lostWork[j] = 0;
      job.firstAlloc[j] = NONE;
      this.scratchA[j] = 0;
    }
    const allocs = this.count("allocCount");
    for (let a = allocs - 1; a >= 0; a--) {
      if ((alloc.flags[a] & ALLOC_LIVE) === 0) {
        alloc.state[a] = EXCLUDED;
        continue;
      }
      const j = alloc.job[a];
      const lost = alloc.request[a * D + costDim] * this.lostSeconds(a, j);
      alloc.lostWork[a] = lost;
      job.lostWork[j] += lost;
      alloc.nextOfJob[a] = job.firstAlloc[j];
      job.firstAlloc[j] = a;
      const preemptable = (job.flags[j] & JOB_PREEMPTIBLE) !== 0 && (this.q.flags[job.queue[j]] & QUEUE_PREEMPTABLE) !== 0;
      alloc.state[a] = preemptable ? CANDIDATE : EXCLUDED;
    }
    const placements = this.count("placementCount");
    const placementAlloc = this.state.i32("placement.alloc");
    for (let p = 0; p < placements; p++) {
      const a = placementAlloc[p];
      if (a >= 0 && a < allocs) alloc.state[a] = EXCLUDED;
    }
    for (let a = 0; a < allocs; a++) {
      if (alloc.state[a] === CANDIDATE) this.insertCandidate(a);
    }
    for (let i = 0; i < nodes; i++) n.order[i] = i;
    for (let start = (nodes >> 1) - 1; start >= 0; start--) this.siftDownNodes(start, nodes);

    // 4. Starved jobs, each leaf's in allocation order.
    const ordering = jobOrderingReference(this.state);
    const sorted = this.scratchF64a;
    const nextOfLeaf = this.scratchF64b;
    let starved = 0;
    for (let j = 0; j < jobs; j++) {
      if (!this.isStarvedJob(j)) continue;
      this.jobHeapKey[j] = ordering.keyOf(this.queuePolicy[job.queue[j]], j);
      sorted[starved++] = j;
    }
    const after = (a: number, b: number): boolean => {
      const qa = job.queue[a];
      const qb = job.queue[b];
      if (qa !== qb) return qa > qb;
      return ordering.compare(this.queuePolicy[qa], a, b) > 0;
    };
    const siftDown = (root: number, end: number): void => {
      const value = sorted[root];
      let i = root;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= end) break;
        if (child + 1 < end && after(sorted[child + 1], sorted[child])) child++;
        if (!after(sorted[child], value)) break;
        sorted[i] = sorted[child];
        i = child;
      }
      sorted[i] = value;
    };
    for (let start = (starved >> 1) - 1; start >= 0; start--) siftDown(start, starved);
    for (let end = starved - 1; end > 0; end--) {
      const top = sorted[0];
      sorted[0] = sorted[end];
      sorted[end] = top;
      siftDown(0, end);
    }
    for (let i = starved - 1; i >= 0; i--) nextOfLeaf[job.queue[sorted[i]]] = i;
    for (let j = 0; j < jobs; j++) {
      if (!this.isStarvedJob(j)) continue;
      const q = job.queue[j];
      const next = nextOfLeaf[q];
      nextOfLeaf[q] = next + 1;
      this.planJob(sorted[next], q);
    }
    return this.victimCount;
  }

  private isStarvedJob(j: number): boolean {
    const job = this.j;
    return this.q.starvedFor[job.queue[j]] !== 0 && job.pendingTasks[j] > 0 && job.reservations[j] <= 0;
  }

  private lostSeconds(a: number, j: number): number {
    const { now } = this;
    const start = this.a.startTime[a];
    const checkpoint = this.a.lastCheckpoint[a];
    const interval = this.j.checkpointInterval[j];
    let since = start;
    if (!Number.isNaN(checkpoint)) since = checkpoint;
    else if (interval > 0 && now > start) since = start + Math.floor((now - start) / interval) * interval;
    return Math.max(0, now - since);
  }

  private candidateCost(a: number): number {
    const j = this.a.job[a];
    return (this.j.flags[j] & JOB_GANG) !== 0 ? this.j.lostWork[j] : this.a.lostWork[a];
  }

  /** Returns true when candidate `x` is taken before candidate `y` (AM last, cost, priority, newest). */
  private victimBefore(x: number, y: number): boolean {
    const { a: alloc, j: job } = this;
    const amX = (alloc.flags[x] & TASK_AM) !== 0;
    const amY = (alloc.flags[y] & TASK_AM) !== 0;
    if (amX !== amY) return amY;
    const costX = this.candidateCost(x);
    const costY = this.candidateCost(y);
    if (costX !== costY) return costX < costY;
    const priorityX = job.priority[alloc.job[x]];
    const priorityY = job.priority[alloc.job[y]];
    if (priorityX !== priorityY) return priorityX < priorityY;
    if (alloc.startTime[x] !== alloc.startTime[y]) return alloc.startTime[x] > alloc.startTime[y];
    return x > y;
  }

  /** Inserts candidate `a` into its node's list in victim order and lowers the node's lost rate. */
  private insertCandidate(a: number): void {
    const { a: alloc, n, D, costDim } = this;
    const node = alloc.node[a];
    let previous = NONE;
    let next = n.firstAlloc[node];
    while (next !== NONE && this.victimBefore(next, a)) {
      previous = next;
      next = alloc.next[next];
    }
    alloc.next[a] = next;
    if (previous === NONE) n.firstAlloc[node] = a;
    else alloc.next[previous] = a;

    const amount = alloc.request[a * D + costDim];
    if (amount <= 0) return;
    const j = alloc.job[a];
    const rate = (this.j.flags[j] & JOB_GANG) !== 0
      ? this.j.lostWork[j] / Math.max(amount, n.capacity[node * D + costDim])
      : alloc.lostWork[a] / amount;
    if (rate < n.lostRate[node]) n.lostRate[node] = rate;
  }

  /** Returns true when node `x` comes before node `y` in the heap: lower lost rate, then row. */
  private nodeBefore(x: number, y: number): boolean {
    const rate = this.n.lostRate;
    if (rate[x] !== rate[y]) return rate[x] < rate[y];
    return x < y;
  }

  private siftDownNodes(root: number, end: number): void {
    const order = this.n.order;
    const value = order[root];
    let i = root;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= end) break;
      if (child + 1 < end && this.nodeBefore(order[child + 1], order[child])) child++;
      if (!this.nodeBefore(order[child], value)) break;
      order[i] = order[child];
      i = child;
    }
    order[i] = value;
  }

  private clearReservation(i: number): void {
    this.n.reservedFor[i] = NONE;
    this.n.reservedUntil[i] = 0;
    this.n.reserved.fill(0, i * this.D, (i + 1) * this.D);
  }

  private dominantDim(g: number): number {
    let best = 0;
    let bestShare = -1;
    for (let d = 0; d < this.D; d++) {
      const capacity = this.clusterCapacity[d];
      const share = capacity > 0 ? this.g.request[g * this.D + d] / capacity : 0;
      if (share > bestShare) {
        bestShare = share;
        best = d;
      }
    }
    return best;
  }

  private planJob(j: number, q: number): void {
    const flags = this.j.flags[j];
    const pending = this.j.pendingTasks[j];
    let batch = 1;
    if (flags & JOB_GANG) batch = pending;
    else if ((flags & JOB_ELASTIC) !== 0 && (flags & JOB_RUNNING) === 0) batch = Math.min(pending, Math.max(1, this.j.elasticMin[j]));

    if (batch > 1) {
      if (batch > this.count("scratchCapacity")) return;
      this.planBatch(j, q, batch);
      return;
    }
    const first = this.j.firstGroup[j];
    const last = first + this.j.groupCount[j];
    for (let g = first; g < last; g++) {
      for (let k = this.g.pending[g]; k > 0; k--) {
        if (this.q.need[q * this.D + this.dominantDim(g)] <= FIT_TOLERANCE) return;
        if (this.placeTask(j, g, q) === NONE) return;
      }
    }
  }

  private planBatch(j: number, q: number, count: number): void {
    const { D } = this;
    const first = this.j.firstGroup[j];
    const last = first + this.j.groupCount[j];
    const request = this.g.request;
    for (let d = 0; d < D; d++) {
      let total = 0;
      let largest = 0;
      let left = count;
      for (let g = first; g < last && left > 0; g++) {
        const k = Math.min(left, this.g.pending[g]);
        total += k * request[g * D + d];
        if (k > 0) largest = Math.max(largest, request[g * D + d]);
        left -= k;
      }
      if (total > 0 && total - largest >= this.q.need[q * D + d] + FIT_TOLERANCE) return;
    }

    const savedVictims = this.victimCount;
    let planned = 0;
    let ok = true;
    for (let g = first; g < last && planned < count && ok; g++) {
      for (let k = this.g.pending[g]; k > 0 && planned < count; k--) {
        const node = this.placeTask(j, g, q);
        if (node === NONE) {
          ok = false;
          break;
        }
        this.scratchB[planned] = node;
        this.scratchC[planned] = g;
        planned++;
      }
    }
    if (ok) return;

    const n = this.n;
    for (let i = planned - 1; i >= 0; i--) {
      const node = this.scratchB[i];
      const g = this.scratchC[i];
      let empty = true;
      for (let d = 0; d < D; d++) {
        const r = request[g * D + d];
        n.planFree[node * D + d] += r;
        const reserved = n.reserved[node * D + d] - r;
        n.reserved[node * D + d] = reserved;
        if (reserved > FIT_TOLERANCE) empty = false;
        this.q.need[q * D + d] += r;
      }
      this.maxFreeBound = Math.max(this.maxFreeBound, n.planFree[node * D + this.costDim]);
      if (empty) this.clearReservation(node);
    }
    for (let v = this.victimCount - 1; v >= savedVictims; v--) {
      const a = this.v.alloc[v];
      const vj = this.a.job[a];
      const node = this.a.node[a];
      this.a.state[a] = CANDIDATE;
      for (let d = 0; d < D; d++) n.planFree[node * D + d] -= this.a.request[a * D + d];
      if (this.j.flags[vj] & JOB_GANG) {
        if (this.scratchA[vj] === VICTIM) {
          this.addRelease(this.j.queue[vj], this.j.usage, vj, -1);
          this.scratchA[vj] = 0;
        }
      } else {
        this.addRelease(this.j.queue[vj], this.a.request, a, -1);
      }
    }
    this.victimCount = savedVictims;
    this.freeBoundStale = true;
  }

  private placeTask(j: number, g: number, q: number): number {
    const { D, n } = this;
    const t = this.task;
    t.job = j;
    t.group = g;
    t.queue = q;
    t.types = this.g.gpuTypes[g];
    t.labels = this.g.labels[g];
    t.request = this.g.request[g * D + this.costDim];
    if (this.freeBoundStale) this.refreshFreeBound();
    t.minDeficit = Math.max(0, t.request - this.maxFreeBound);
    t.best = NONE;
    t.bestCost = Infinity;
    t.bestHasAm = false;
    t.bestPriority = 0;
    t.bestOldest = 0;

    this.visitNodes(0, this.count("nodeCount"));
    const best = t.best;
    if (best === NONE) return NONE;
    if (n.planFree[best * D + this.costDim] >= this.maxFreeBound) this.freeBoundStale = true;

    if (!this.fits(best, g)) {
      this.selectVictims(best, g, q);
      this.commitTentative(best, j, q);
    }
    const until = this.now + this.reservationTimeout;
    if (n.reservedFor[best] !== j) this.clearReservation(best);
    n.reservedFor[best] = j;
    n.reservedUntil[best] = until;
    for (let d = 0; d < D; d++) {
      const r = this.g.request[g * D + d];
      n.planFree[best * D + d] -= r;
      n.reserved[best * D + d] += r;
      this.q.need[q * D + d] -= r;
    }
    this.maxFreeBound = Math.max(this.maxFreeBound, n.planFree[best * D + this.costDim]);
    return best;
  }

  /** Sets maxFreeBound to the largest planFree of any node in the cost dimension. */
  private refreshFreeBound(): void {
    const { D, n } = this;
    const nodes = this.count("nodeCount");
    let bound = 0;
    for (let i = 0; i < nodes; i++) bound = Math.max(bound, n.planFree[i * D + this.costDim]);
    this.maxFreeBound = bound;
    this.freeBoundStale = false;
  }

  /** Visits the node heap below position `i`, skipping subtrees whose bound exceeds the best cost. */
  private visitNodes(i: number, count: number): void {
    if (i >= count) return;
    const t = this.task;
    const node = this.n.order[i];
    const rate = this.n.lostRate[node];
    if (t.best !== NONE && !t.bestHasAm && rate * t.minDeficit > t.bestCost) return;
    this.offerNode(node, rate);
    this.visitNodes(2 * i + 1, count);
    this.visitNodes(2 * i + 2, count);
  }

  private offerNode(i: number, rate: number): void {
    const { D, n } = this;
    const t = this.task;
    const g = t.group;
    if ((n.flags[i] & NODE_SCHEDULABLE) === 0) return;
    if (t.types !== 0) {
      const type = n.gpuType[i];
      if (type === NONE) return;
      if ((t.types & (1 << type)) === 0) return;
    }
    if ((t.labels & ~n.labels[i]) !== 0) return;
    if (n.reservedUntil[i] > this.now && n.reservedFor[i] !== t.job) return;
    const deficit = t.request - n.planFree[i * D + this.costDim];
    if (t.best !== NONE && !t.bestHasAm && deficit > 0 && deficit * rate > t.bestCost) return;
    if (!this.canEverFit(i, g)) return;

    let cost = 0;
    if (this.fits(i, g)) {
      this.setHasAm = false;
      this.setPriority = I32_MIN;
      this.setOldest = Infinity;
    } else {
      cost = this.selectVictims(i, g, t.queue);
      this.rollbackTentative(i);
      if (cost === Infinity) return;
    }
    if (t.best !== NONE) {
      if (this.setHasAm !== t.bestHasAm) {
        if (this.setHasAm) return;
      } else if (cost !== t.bestCost) {
        if (cost > t.bestCost) return;
      } else if (this.setPriority !== t.bestPriority) {
        if (this.setPriority > t.bestPriority) return;
      } else if (this.setOldest !== t.bestOldest) {
        if (this.setOldest < t.bestOldest) return;
      } else if (i > t.best) return;
    }
    t.best = i;
    t.bestHasAm = this.setHasAm;
    t.bestCost = cost;
    t.bestPriority = this.setPriority;
    t.bestOldest = this.setOldest;
  }

  private fits(i: number, g: number): boolean {
    const { D } = this;
    for (let d = 0; d < D; d++) {
      if (this.g.request[g * D + d] > this.n.planFree[i * D + d] + FIT_TOLERANCE) return false;
    }
    return true;
  }

  private canEverFit(i: number, g: number): boolean {
    const { D } = this;
    for (let d = 0; d < D; d++) {
      if (this.g.request[g * D + d] > this.n.capacity[i * D + d] - this.n.reserved[i * D + d] + FIT_TOLERANCE) return false;
    }
    return true;
  }

  private helps(a: number, i: number, g: number): boolean {
    const { D } = this;
    for (let d = 0; d < D; d++) {
      if (this.a.request[a * D + d] <= 0) continue;
      if (this.g.request[g * D + d] > this.n.planFree[i * D + d] + FIT_TOLERANCE) return true;
    }
    return false;
  }

  private selectVictims(i: number, g: number, q: number): number {
    const { a: alloc, j: job, n } = this;
    let cost = 0;

    // 1. Greedy cover, walking the list in victim order.
    for (let a = n.firstAlloc[i]; a !== NONE; a = alloc.next[a]) {
      if (this.fits(i, g)) break;
      if (alloc.state[a] !== CANDIDATE) continue;
      if (!this.helps(a, i, g)) continue;
      const vj = alloc.job[a];
      const gang = (job.flags[vj] & JOB_GANG) !== 0;
      const ok = gang ? this.canRelease(job.queue[vj], q, job.usage, vj) : this.canRelease(job.queue[vj], q, alloc.request, a);
      if (!ok) continue;
      this.markTentative(i, a, 1);
    }
    if (!this.fits(i, g)) return Infinity;

    // 2. Drop, in node-list order, every victim the task can do without.
    for (let a = n.firstAlloc[i]; a !== NONE; a = alloc.next[a]) {
      if (alloc.state[a] !== TENTATIVE) continue;
      const vj = alloc.job[a];
      if ((job.flags[vj] & JOB_GANG) !== 0 && this.scratchA[vj] !== TENTATIVE) continue;
      this.markTentative(i, a, -1);
      if (this.fits(i, g)) continue;
      this.markTentative(i, a, 1);
    }

    // 3. Price what is left.
    cost = 0;
    this.setHasAm = false;
    this.setPriority = I32_MIN;
    this.setOldest = Infinity;
    for (let a = n.firstAlloc[i]; a !== NONE; a = alloc.next[a]) {
      if (alloc.state[a] !== TENTATIVE) continue;
      const vj = alloc.job[a];
      const gang = (job.flags[vj] & JOB_GANG) !== 0;
      if (!gang) cost += alloc.lostWork[a];
      else if (this.scratchA[vj] === TENTATIVE) {
        cost += job.lostWork[vj];
        this.scratchA[vj] = -TENTATIVE;
      }
      if (alloc.flags[a] & TASK_AM) this.setHasAm = true;
      this.setPriority = Math.max(this.setPriority, job.priority[vj]);
      this.setOldest = Math.min(this.setOldest, alloc.startTime[a]);
    }
    for (let a = n.firstAlloc[i]; a !== NONE; a = alloc.next[a]) {
      const vj = alloc.job[a];
      if (this.scratchA[vj] === -TENTATIVE) this.scratchA[vj] = TENTATIVE;
    }
    return cost;
  }

  private markTentative(i: number, a: number, sign: number): void {
    const { a: alloc, j: job, n } = this;
    const vj = alloc.job[a];
    const state = sign > 0 ? TENTATIVE : CANDIDATE;
    const from = sign > 0 ? CANDIDATE : TENTATIVE;
    if (job.flags[vj] & JOB_GANG) {
      for (let b = n.firstAlloc[i]; b !== NONE; b = alloc.next[b]) {
        if (alloc.job[b] !== vj || alloc.state[b] !== from) continue;
        alloc.state[b] = state;
        this.addToPlanFree(i, b, sign);
      }
      this.scratchA[vj] = sign > 0 ? TENTATIVE : 0;
      this.addRelease(job.queue[vj], job.usage, vj, sign);
    } else {
      alloc.state[a] = state;
      this.addToPlanFree(i, a, sign);
      this.addRelease(job.queue[vj], alloc.request, a, sign);
    }
  }

  private rollbackTentative(i: number): void {
    for (let a = this.n.firstAlloc[i]; a !== NONE; a = this.a.next[a]) {
      if (this.a.state[a] === TENTATIVE) this.markTentative(i, a, -1);
    }
  }

  private commitTentative(i: number, j: number, q: number): void {
    const { a: alloc, j: job } = this;
    const reason = this.q.starvedFor[q];
    for (let a = this.n.firstAlloc[i]; a !== NONE; a = alloc.next[a]) {
      if (alloc.state[a] !== TENTATIVE) continue;
      const vj = alloc.job[a];
      if ((job.flags[vj] & JOB_GANG) === 0) {
        alloc.state[a] = VICTIM;
        this.writeVictim(a, j, q, i, reason);
        continue;
      }
      this.scratchA[vj] = VICTIM;
      for (let b = this.j.firstAlloc[vj]; b !== NONE; b = alloc.nextOfJob[b]) {
        const state = alloc.state[b];
        if (state === TENTATIVE) {
          alloc.state[b] = VICTIM;
          this.writeVictim(b, j, q, i, reason);
        } else if (state === CANDIDATE || state === EXCLUDED) {
          alloc.state[b] = VICTIM;
          this.addToPlanFree(alloc.node[b], b, 1);
          this.maxFreeBound = Math.max(this.maxFreeBound, this.n.planFree[alloc.node[b] * this.D + this.costDim]);
          this.writeVictim(b, j, q, i, reason);
        }
      }
    }
  }

  private writeVictim(a: number, j: number, q: number, i: number, reason: number): void {
    const v = this.victimCount;
    if (v >= this.count("victimCapacity")) return;
    this.v.alloc[v] = a;
    this.v.forJob[v] = j;
    this.v.reason[v] = reason;
    this.v.forNode[v] = i;
    this.v.forQueue[v] = q;
    this.victimCount = v + 1;
  }

  private addToPlanFree(i: number, a: number, sign: number): void {
    const { D } = this;
    for (let d = 0; d < D; d++) this.n.planFree[i * D + d] += sign * this.a.request[a * D + d];
  }

  /** Adds `sign` x row `row` of `vectors` to the release of leaf `q` and every ancestor. */
  private addRelease(q: number, vectors: Float64Array, row: number, sign: number): void {
    const { D } = this;
    for (let p = q; p !== NONE; p = this.q.parent[p]) {
      for (let d = 0; d < D; d++) this.q.release[p * D + d] += sign * vectors[row * D + d];
    }
  }

  private canRelease(victimQueue: number, starvedQueue: number, vectors: Float64Array, row: number): boolean {
    if (victimQueue === starvedQueue) return false;
    const { D, q } = this;
    const lca = this.commonAncestor(victimQueue, starvedQueue);
    for (let p = victimQueue; p !== lca && p !== NONE; p = q.parent[p]) {
      let ratio = 0;
      let targets = false;
      for (let d = 0; d < D; d++) {
        const freed = vectors[row * D + d];
        const after = q.usage[p * D + d] - q.release[p * D + d] - freed;
        const demand = q.demand[p * D + d];
        if (freed > 0) {
          const minTarget = Math.min(q.min[p * D + d], demand);
          if (after < minTarget * (1 - SHARE_TOLERANCE)) return false;
        }
        const fairTarget = Math.min(q.fair[p * D + d], demand);
        if (fairTarget > 0) {
          targets = true;
          ratio = Math.max(ratio, after / fairTarget);
        }
      }
      if (targets && ratio < 1 - SHARE_TOLERANCE) return false;
    }
    return true;
  }

  private commonAncestor(a: number, b: number): number {
    const { parent, depth } = this.q;
    while (depth[a] > depth[b]) a = parent[a];
    while (depth[b] > depth[a]) b = parent[b];
    while (a !== b) {
      a = parent[a];
      b = parent[b];
    }
    return a;
  }
}
