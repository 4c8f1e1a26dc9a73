// Victim selection: which running tasks to stop so that starved queues get their share, as
// YARN FairScheduler's FSPreemptionThread does, extended with gangs, checkpoints and
// reservations.
//
// Rules (a victim is a live alloc):
// - It belongs to a preemptible job (JOB_PREEMPTIBLE) in a QUEUE_PREEMPTABLE leaf, was not
//   placed by this pass, and its leaf is not the starved leaf.
// - Its leaf, and every ancestor below the lowest common ancestor with the starved leaf, stays
//   at or above its fair share after the plan: the dominant ratio of usage to
//   min(fairShare, demand) stays at least 1. Each of them also stays at or above
//   min(minResources, demand) in every dimension it gives up. The common ancestors are not
//   checked because the space moves inside them. So a queue at or below its min share in a
//   dimension never gives up that dimension, whatever its weight.
// - Stopping one task of a gang stops the gang, so a gang victim brings all its live allocs.
// - Only tasks that help the placement count: space is freed on ONE node for each starved task
//   (a starved gang plans every task it needs, each on one node, and keeps the plan only if all
//   of them fit). A victim set is minimal: no victim can be dropped and still leave room.
//
// Because every victim queue ends at or above its fair share (ratio >= 1 >= threshold) and its
// min share, it is not starved in the next pass, so it cannot take the space back (the invariant
// Kueue's fair-sharing preemption checks: the preemptor never ends above its share while the
// victim ends below).
//
// Cost: work lost = amount of the cost dimension (gpu, else the first) x seconds since the last
// checkpoint (recorded, or implied by job.checkpointInterval since the start, or the start). A
// gang victim costs the work of all its tasks. Among the nodes where the starved task can fit,
// the victim set with the least lost work wins; ties go to the lowest priority, then the newest
// tasks, then the lower node row. A set with an AM task loses to any set without one.
//
// Space freed for a starved job is reserved for it on the node (node.reservedFor / reserved /
// reservedUntil) until it is placed or reservationTimeout passes; a job holding a live
// reservation is not planned again, because its earlier victims may still be stopping.
//
// Scratch use: i32a holds each job's victim state (0 none, 1 victim, 2 tentative victim);
// i32b and i32c hold the node and group of each task of the batch being planned; f64a holds the
// starved jobs sorted by leaf and allocation order, and f64b, per leaf row, the f64a position
// of the leaf's next job to plan.

import * as L from "./layout";
import { updateStarvation, SHARE_TOLERANCE } from "./starvation";
import { compareJobs, jobKeyOf } from "./ordering";

const CANDIDATE: i32 = 0;
const VICTIM: i32 = 1;
const TENTATIVE: i32 = 2;
const EXCLUDED: i32 = 3;

/** Absolute slack of fit tests, in resource units. */
const FIT_TOLERANCE: f64 = 1e-9;

// Per-plan constants: the cost dimension, and an upper bound of every node's planFree in it
// (raised whenever victims free space), which bounds the deficit any node can have. The bound
// goes stale when space on the node that may hold the maximum is taken, and the next placeTask
// then recomputes it, so one whole free node does not stop the pruning for the rest of the plan.
let costDim: i32 = 0;
let maxFreeBound: f64 = 0;
let freeBoundStale: bool = false;

// Result of the last selectVictims call: whether it takes an AM task, the highest victim
// priority and the oldest victim start.
let setHasAm: bool = false;
let setPriority: i32 = 0;
let setOldest: f64 = 0;

/**
 * Plans preemption for every starved leaf and writes the victims into the victim table.
 *
 * 1. Update the starvation clocks and vectors (updateStarvation).
 *
 * 2. Drop reservations that lapsed or whose job has nothing pending; count the rest per job.
 *
 * 3. Build the work space: which allocs may be victims at all, each alloc's and job's lost
 *    work, each job's list of live allocs, each node's victim candidates sorted in victim order
 *    (AM last, lost work, priority, newest first), a min-heap of the nodes by their least lost
 *    work per unit freed, and each node's free space net of other jobs' reservations.
 *
 * 4. List the starved jobs (a job of a starved leaf with pending tasks and no live reservation)
 *    and sort them by leaf, then in the order the allocation pass serves the leaf's jobs under
 *    its policy (jobKeyOf, compareJobs). Visit the starved jobs in row order, and give each
 *    turn to the next job of the same leaf in that order, so leaves keep their turns and a
 *    leaf's jobs go in the allocation order. Each job plans its next task (or, for a gang or an
 *    elastic job below its minimum, the whole batch that must start together) while its leaf's
 *    uncovered starvation lasts.
 *
 * Returns the number of victim rows written (header.victimCount).
 */
export function planPreemption(): i32 {
  L.setVictimCount(0);
  const starvedLeaves = updateStarvation();
  const now = L.time();
  const nodes = L.nodeCount();
  const jobs = L.jobCount();
  const queues = L.queueCount();
  const dims = L.DIMS;

  // 2. Reservations.
  for (let j = 0; j < jobs; j++) L.setJobReservations(j, 0);
  for (let n = 0; n < nodes; n++) {
    const holder = L.nodeReservedFor(n);
    if (L.nodeReservedUntil(n) > now && holder >= 0 && holder < jobs && L.jobPendingTasks(holder) > 0) {
      L.setJobReservations(holder, L.jobReservations(holder) + 1);
      continue;
    }
    clearReservation(n);
  }
  if (starvedLeaves == 0) return 0;

  // 3. Work space.
  costDim = L.gpuDim() == L.NONE ? 0 : L.gpuDim();
  maxFreeBound = 0;
  freeBoundStale = false;
  for (let n = 0; n < nodes; n++) {
    L.setNodeFirstAlloc(n, L.NONE);
    L.setNodeLostRate(n, Infinity);
    for (let d = 0; d < dims; d++) L.setNodePlanFree(n, d, L.nodeFree(n, d) - L.nodeReserved(n, d));
    maxFreeBound = max(maxFreeBound, L.nodePlanFree(n, costDim));
  }
  for (let q = 0; q < queues; q++) {
    for (let d = 0; d < dims; d++) L.setQueuePreemptRelease(q, d, 0);
  }
  for (let j = 0; j < jobs; j++) {
    L.setJobLostWork(j, 0);
    L.setJobFirstAlloc(j, L.NONE);
    L.setScratchI32a(j, 0);
  }
  const allocs = L.allocCount();
  for (let a = allocs - 1; a >= 0; a--) {
    if ((L.allocFlags(a) & L.ALLOC_LIVE) == 0) {
      L.setAllocPreemptState(a, EXCLUDED);
      continue;
    }
    const j = L.allocJob(a);
    const lost = L.allocRequest(a, costDim) * lostSeconds(a, j, now);
    L.setAllocLostWork(a, lost);
    L.setJobLostWork(j, L.jobLostWork(j) + lost);
    L.setAllocNextOfJob(a, L.jobFirstAlloc(j));
    L.setJobFirstAlloc(j, a);
    const preemptable = (L.jobFlags(j) & L.JOB_PREEMPTIBLE) != 0 && (L.queueFlags(L.jobQueue(j)) & L.QUEUE_PREEMPTABLE) != 0;
    L.setAllocPreemptState(a, preemptable ? CANDIDATE : EXCLUDED);
  }
  const placements = L.placementCount();
  for (let p = 0; p < placements; p++) {
    const a = L.placementAlloc(p);
    if (a >= 0 && a < allocs) L.setAllocPreemptState(a, EXCLUDED);
  }
  for (let a = 0; a < allocs; a++) {
    if (L.allocPreemptState(a) == CANDIDATE) insertCandidate(a);
  }
  for (let n = 0; n < nodes; n++) L.setNodePreemptOrder(n, n);
  for (let start = (nodes >> 1) - 1; start >= 0; start--) siftDownNodes(start, nodes);

  // 4. Starved jobs, each leaf's in allocation order.
  let starved = 0;
  for (let j = 0; j < jobs; j++) {
    if (!isStarvedJob(j)) continue;
    L.setJobHeapKey(j, jobKeyOf(L.queuePolicy(L.jobQueue(j)), j));
    L.setScratchF64a(starved++, <f64>j);
  }
  for (let start = (starved >> 1) - 1; start >= 0; start--) siftDownStarved(start, starved);
  for (let end = starved - 1; end > 0; end--) {
    const top = L.scratchF64a(0);
    L.setScratchF64a(0, L.scratchF64a(end));
    L.setScratchF64a(end, top);
    siftDownStarved(0, end);
  }
  for (let i = starved - 1; i >= 0; i--) L.setScratchF64b(L.jobQueue(<i32>L.scratchF64a(i)), <f64>i);
  for (let j = 0; j < jobs; j++) {
    if (!isStarvedJob(j)) continue;
    const q = L.jobQueue(j);
    const next = <i32>L.scratchF64b(q);
    L.setScratchF64b(q, <f64>(next + 1));
    planJob(<i32>L.scratchF64a(next), q);
  }
  return L.victimCount();
}

/** Returns whether job `j` belongs to a starved leaf, has pending tasks and has no live reservation. */
@inline function isStarvedJob(j: i32): bool {
  return L.queueStarvedFor(L.jobQueue(j)) != 0 && L.jobPendingTasks(j) > 0 && L.jobReservations(j) <= 0;
}

/** Returns true when starved job `a` comes after job `b`: a higher leaf row, then compareJobs. */
function starvedAfter(a: i32, b: i32): bool {
  const qa = L.jobQueue(a);
  const qb = L.jobQueue(b);
  if (qa != qb) return qa > qb;
  return compareJobs(L.queuePolicy(qa), a, b) > 0;
}

/** Restores the max-heap order (see starvedAfter) of scratch.f64a below position `root` (heap of `end`). */
function siftDownStarved(root: i32, end: i32): void {
  const value = <i32>L.scratchF64a(root);
  let i = root;
  while (true) {
    let child = 2 * i + 1;
    if (child >= end) break;
    if (child + 1 < end && starvedAfter(<i32>L.scratchF64a(child + 1), <i32>L.scratchF64a(child))) child++;
    if (!starvedAfter(<i32>L.scratchF64a(child), value)) break;
    L.setScratchF64a(i, L.scratchF64a(child));
    i = child;
  }
  L.setScratchF64a(i, <f64>value);
}

/** Returns the seconds of work alloc `a` of job `j` loses if it stops at `now`. */
@inline function lostSeconds(a: i32, j: i32, now: f64): f64 {
  const start = L.allocStartTime(a);
  const checkpoint = L.allocLastCheckpoint(a);
  const interval = L.jobCheckpointInterval(j);
  let since = start;
  if (!isNaN(checkpoint)) since = checkpoint;
  else if (interval > 0 && now > start) since = start + Math.floor((now - start) / interval) * interval;
  return max(0, now - since);
}

/** Returns the work lost by stopping alloc `a`: its own, or its whole gang's. */
@inline function candidateCost(a: i32): f64 {
  const j = L.allocJob(a);
  return (L.jobFlags(j) & L.JOB_GANG) != 0 ? L.jobLostWork(j) : L.allocLostWork(a);
}

/** Returns true when candidate `a` is taken before candidate `b`. */
function victimBefore(a: i32, b: i32): bool {
  const amA = (L.allocFlags(a) & L.TASK_AM) != 0;
  const amB = (L.allocFlags(b) & L.TASK_AM) != 0;
  if (amA != amB) return amB;
  const costA = candidateCost(a);
  const costB = candidateCost(b);
  if (costA != costB) return costA < costB;
  const priorityA = L.jobPriority(L.allocJob(a));
  const priorityB = L.jobPriority(L.allocJob(b));
  if (priorityA != priorityB) return priorityA < priorityB;
  const startA = L.allocStartTime(a);
  const startB = L.allocStartTime(b);
  if (startA != startB) return startA > startB;
  return a > b;
}

/**
 * Inserts candidate `a` into its node's list in victim order and lowers the node's lost rate:
 * work lost per unit of the cost dimension freed. A gang may free up to the node's capacity for
 * its whole lost work, so its rate divides by the capacity, which keeps the rate a lower bound.
 */
function insertCandidate(a: i32): void {
  const n = L.allocNode(a);
  let previous = L.NONE;
  let next = L.nodeFirstAlloc(n);
  while (next != L.NONE && victimBefore(next, a)) {
    previous = next;
    next = L.allocNextOnNode(next);
  }
  L.setAllocNextOnNode(a, next);
  if (previous == L.NONE) L.setNodeFirstAlloc(n, a);
  else L.setAllocNextOnNode(previous, a);

  const amount = L.allocRequest(a, costDim);
  if (amount <= 0) return;
  const j = L.allocJob(a);
  const rate = (L.jobFlags(j) & L.JOB_GANG) != 0
    ? L.jobLostWork(j) / max(amount, L.nodeCapacity(n, costDim))
    : L.allocLostWork(a) / amount;
  if (rate < L.nodeLostRate(n)) L.setNodeLostRate(n, rate);
}

/** Returns true when node `a` is visited before node `b`: lower lost rate, then lower row. */
@inline function nodeBefore(a: i32, b: i32): bool {
  const rateA = L.nodeLostRate(a);
  const rateB = L.nodeLostRate(b);
  if (rateA != rateB) return rateA < rateB;
  return a < b;
}

/** Restores the min-heap order of node.preemptOrder below position `root` (heap of `end`). */
function siftDownNodes(root: i32, end: i32): void {
  const value = L.nodePreemptOrder(root);
  let i = root;
  while (true) {
    let child = 2 * i + 1;
    if (child >= end) break;
    if (child + 1 < end && nodeBefore(L.nodePreemptOrder(child + 1), L.nodePreemptOrder(child))) child++;
    if (!nodeBefore(L.nodePreemptOrder(child), value)) break;
    L.setNodePreemptOrder(i, L.nodePreemptOrder(child));
    i = child;
  }
  L.setNodePreemptOrder(i, value);
}

function clearReservation(n: i32): void {
  L.setNodeReservedFor(n, L.NONE);
  L.setNodeReservedUntil(n, 0);
  for (let d = 0; d < L.DIMS; d++) L.setNodeReserved(n, d, 0);
}

/** Returns the dimension where `g`'s request is the largest fraction of the cluster. */
function dominantDim(g: i32): i32 {
  let best = 0;
  let bestShare: f64 = -1;
  for (let d = 0; d < L.DIMS; d++) {
    const capacity = L.clusterCapacity(d);
    const share = capacity > 0 ? L.groupRequest(g, d) / capacity : 0;
    if (share > bestShare) {
      bestShare = share;
      best = d;
    }
  }
  return best;
}

/**
 * Plans job `j` of starved leaf `q`. A gang needs all its pending tasks at once, and an elastic
 * job that has not started needs its minimum. Such a batch is planned whole or not at all, and
 * only when it exceeds the leaf's uncovered starvation by less than one task. Other jobs plan one
 * task at a time while the uncovered starvation in the task's dominant dimension is positive.
 */
function planJob(j: i32, q: i32): void {
  const flags = L.jobFlags(j);
  const pending = L.jobPendingTasks(j);
  let batch = 1;
  if (flags & L.JOB_GANG) batch = pending;
  else if ((flags & L.JOB_ELASTIC) != 0 && (flags & L.JOB_RUNNING) == 0) batch = min(pending, max(1, L.jobElasticMin(j)));

  if (batch > 1) {
    if (batch > L.scratchCapacity()) return; // NOTE: batches beyond the scratch rows are not planned.
    planBatch(j, q, batch);
    return;
  }

  const first = L.jobFirstGroup(j);
  const last = first + L.jobGroupCount(j);
  for (let g = first; g < last; g++) {
    for (let k = L.groupPending(g); k > 0; k--) {
      if (L.queuePreemptNeed(q, dominantDim(g)) <= FIT_TOLERANCE) return;
      if (placeTask(j, g, q) == L.NONE) return;
    }
  }
}

/** Plans `count` tasks of job `j` that must start together; rolls back unless all fit. */
function planBatch(j: i32, q: i32, count: i32): void {
  // 1. The batch may exceed the uncovered starvation by less than its largest task.
  const first = L.jobFirstGroup(j);
  const last = first + L.jobGroupCount(j);
  const dims = L.DIMS;
  for (let d = 0; d < dims; d++) {
    let total: f64 = 0;
    let largest: f64 = 0;
    let left = count;
    for (let g = first; g < last && left > 0; g++) {
      const k = min(left, L.groupPending(g));
      total += <f64>k * L.groupRequest(g, d);
      if (k > 0) largest = max(largest, L.groupRequest(g, d));
      left -= k;
    }
    if (total > 0 && total - largest >= L.queuePreemptNeed(q, d) + FIT_TOLERANCE) return;
  }

  // 2. Place each task, remembering where, so a failure can undo the whole batch.
  const savedVictims = L.victimCount();
  let planned = 0;
  let ok = true;
  for (let g = first; g < last && planned < count && ok; g++) {
    for (let k = L.groupPending(g); k > 0 && planned < count; k--) {
      const n = placeTask(j, g, q);
      if (n == L.NONE) {
        ok = false;
        break;
      }
      L.setScratchI32b(planned, n);
      L.setScratchI32c(planned, g);
      planned++;
    }
  }
  if (ok) return;

  // 3. Undo: release the victims, the promised space, the reservations and the covered need.
  for (let i = planned - 1; i >= 0; i--) {
    const n = L.scratchI32b(i);
    const g = L.scratchI32c(i);
    let empty = true;
    for (let d = 0; d < dims; d++) {
      const r = L.groupRequest(g, d);
      L.setNodePlanFree(n, d, L.nodePlanFree(n, d) + r);
      const reserved = L.nodeReserved(n, d) - r;
      L.setNodeReserved(n, d, reserved);
      if (reserved > FIT_TOLERANCE) empty = false;
      L.setQueuePreemptNeed(q, d, L.queuePreemptNeed(q, d) + r);
    }
    maxFreeBound = max(maxFreeBound, L.nodePlanFree(n, costDim));
    if (empty) clearReservation(n);
  }
  for (let v = L.victimCount() - 1; v >= savedVictims; v--) {
    const a = L.victimAlloc(v);
    const vj = L.allocJob(a);
    const n = L.allocNode(a);
    L.setAllocPreemptState(a, CANDIDATE);
    for (let d = 0; d < dims; d++) L.setNodePlanFree(n, d, L.nodePlanFree(n, d) - L.allocRequest(a, d));
    if (L.jobFlags(vj) & L.JOB_GANG) {
      if (L.scratchI32a(vj) == VICTIM) {
        addRelease(L.jobQueue(vj), L.jobUsageRow(vj), -1);
        L.setScratchI32a(vj, 0);
      }
    } else {
      addRelease(L.jobQueue(vj), L.allocRequestRow(a), -1);
    }
  }
  L.setVictimCount(savedVictims);
  freeBoundStale = true;
}

// State of the node search of one placeTask call, shared with visitNodes.
let taskJob: i32 = 0;
let taskGroup: i32 = 0;
let taskQueue: i32 = 0;
let taskTypes: i32 = 0;
let taskLabels: i32 = 0;
let taskRequest: f64 = 0;
let taskMinDeficit: f64 = 0;
let best: i32 = L.NONE;
let bestCost: f64 = Infinity;
let bestHasAm: bool = false;
let bestPriority: i32 = 0;
let bestOldest: f64 = 0;

/**
 * Finds the node where one task of group `g` (job `j`, starved leaf `q`) fits at the least lost
 * work (ties: no AM task, lower priority, newer victims, lower node row), commits its victims and
 * promises the space. Returns the node, or NONE when no node can make room within the rules.
 */
function placeTask(j: i32, g: i32, q: i32): i32 {
  taskJob = j;
  taskGroup = g;
  taskQueue = q;
  taskTypes = L.groupGpuTypes(g);
  taskLabels = L.groupLabels(g);
  taskRequest = L.groupRequest(g, costDim);
  if (freeBoundStale) refreshFreeBound();
  taskMinDeficit = max(0, taskRequest - maxFreeBound);
  best = L.NONE;
  bestCost = Infinity;
  bestHasAm = false;
  bestPriority = 0;
  bestOldest = 0;

  // 1. Search the nodes (see visitNodes). Ties are broken by row, so the outcome does not
  //    depend on the visiting order, up to rounding in the planFree sums that rollbacks undo.
  visitNodes(0, L.nodeCount());
  if (best == L.NONE) return L.NONE;
  const chosen = best;
  if (L.nodePlanFree(chosen, costDim) >= maxFreeBound) freeBoundStale = true;

  // 2. Commit: redo the winning selection, turn it into victim rows, promise the space.
  if (!fits(chosen, g)) {
    selectVictims(chosen, g, q);
    commitTentative(chosen, j, q);
  }
  const until = L.time() + L.reservationTimeout();
  if (L.nodeReservedFor(chosen) != j) clearReservation(chosen);
  L.setNodeReservedFor(chosen, j);
  L.setNodeReservedUntil(chosen, until);
  for (let d = 0; d < L.DIMS; d++) {
    const r = L.groupRequest(g, d);
    L.setNodePlanFree(chosen, d, L.nodePlanFree(chosen, d) - r);
    L.setNodeReserved(chosen, d, L.nodeReserved(chosen, d) + r);
    L.setQueuePreemptNeed(q, d, L.queuePreemptNeed(q, d) - r);
  }
  maxFreeBound = max(maxFreeBound, L.nodePlanFree(chosen, costDim));
  return chosen;
}

/** Sets maxFreeBound to the largest planFree of any node in the cost dimension. */
function refreshFreeBound(): void {
  let bound: f64 = 0;
  const nodes = L.nodeCount();
  for (let n = 0; n < nodes; n++) bound = max(bound, L.nodePlanFree(n, costDim));
  maxFreeBound = bound;
  freeBoundStale = false;
}

/**
 * Visits the subtree at position `i` of the node heap (node.preemptOrder, a binary min-heap by
 * lost rate) and offers each node to the search. A node's victims cost at least its deficit in
 * the cost dimension times its lost rate, and no deficit is below taskMinDeficit. So when that
 * bound at a subtree's root already exceeds the best cost, the whole subtree is skipped, because
 * every node below the root has a rate at least as high. Recursion depth is the heap height, log2 of the node count.
 */
function visitNodes(i: i32, count: i32): void {
  if (i >= count) return;
  const n = L.nodePreemptOrder(i);
  const rate = L.nodeLostRate(n);
  if (best != L.NONE && !bestHasAm && rate * taskMinDeficit > bestCost) return;
  offerNode(n, rate);
  visitNodes(2 * i + 1, count);
  visitNodes(2 * i + 2, count);
}

/** Prices node `n` for the current task and keeps it when it beats the best so far. */
function offerNode(n: i32, rate: f64): void {
  const g = taskGroup;
  if ((L.nodeFlags(n) & L.NODE_SCHEDULABLE) == 0) return;
  if (taskTypes != 0) {
    const type = L.nodeGpuType(n);
    if (type == L.NONE) return;
    if ((taskTypes & (1 << type)) == 0) return;
  }
  if ((taskLabels & ~L.nodeLabels(n)) != 0) return;
  if (L.nodeReservedUntil(n) > L.time() && L.nodeReservedFor(n) != taskJob) return;
  const deficit = taskRequest - L.nodePlanFree(n, costDim);
  if (best != L.NONE && !bestHasAm && deficit > 0 && deficit * rate > bestCost) return;
  if (!canEverFit(n, g)) return;

  let cost: f64 = 0;
  if (fits(n, g)) {
    setHasAm = false;
    setPriority = i32.MIN_VALUE;
    setOldest = Infinity;
  } else {
    cost = selectVictims(n, g, taskQueue);
    rollbackTentative(n);
    if (cost == Infinity) return;
  }
  if (best != L.NONE) {
    if (setHasAm != bestHasAm) {
      if (setHasAm) return;
    } else if (cost != bestCost) {
      if (cost > bestCost) return;
    } else if (setPriority != bestPriority) {
      if (setPriority > bestPriority) return;
    } else if (setOldest != bestOldest) {
      if (setOldest < bestOldest) return;
    } else if (n > best) return;
  }
  best = n;
  bestHasAm = setHasAm;
  bestCost = cost;
  bestPriority = setPriority;
  bestOldest = setOldest;
}

@inline function fits(n: i32, g: i32): bool {
  for (let d = 0; d < L.DIMS; d++) {
    if (L.groupRequest(g, d) > L.nodePlanFree(n, d) + FIT_TOLERANCE) return false;
  }
  return true;
}

/** Returns false when the task exceeds the node's capacity, so no preemption can help. */
@inline function canEverFit(n: i32, g: i32): bool {
  for (let d = 0; d < L.DIMS; d++) {
    if (L.groupRequest(g, d) > L.nodeCapacity(n, d) - L.nodeReserved(n, d) + FIT_TOLERANCE) return false;
  }
  return true;
}

/** Returns true when alloc `a` frees some dimension that group `g` still lacks on node `n`. */
@inline function helps(a: i32, n: i32, g: i32): bool {
  for (let d = 0; d < L.DIMS; d++) {
    if (L.allocRequest(a, d) <= 0) continue;
    if (L.groupRequest(g, d) > L.nodePlanFree(n, d) + FIT_TOLERANCE) return true;
  }
  return false;
}

/**
 * Chooses victims on node `n` for one task of group `g`, greedily in victim order (AM last,
 * lost work, lower priority, newer start, higher row), then drops every victim the task can do
 * without. Marks
 * them TENTATIVE and adds their space to the node's planFree and their queues' release. Returns
 * the set's lost work (and setHasAm, setPriority, setOldest), or Infinity when the node cannot
 * make room; the caller rolls the marks back either way.
 */
function selectVictims(n: i32, g: i32, q: i32): f64 {
  let cost: f64 = 0;

  // 1. Greedy cover: the list is in victim order, and a candidate that does not help or may
  //    not be released now never will later in this walk (free space and releases only grow).
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    if (fits(n, g)) break;
    if (L.allocPreemptState(a) != CANDIDATE) continue;
    if (!helps(a, n, g)) continue;
    const vj = L.allocJob(a);
    const gang = (L.jobFlags(vj) & L.JOB_GANG) != 0;
    if (!canRelease(L.jobQueue(vj), q, gang ? L.jobUsageRow(vj) : L.allocRequestRow(a))) continue;
    markTentative(n, a, 1);
  }
  if (!fits(n, g)) return Infinity;

  // 2. Drop, in node-list order, every victim the task can do without.
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    if (L.allocPreemptState(a) != TENTATIVE) continue;
    const vj = L.allocJob(a);
    if ((L.jobFlags(vj) & L.JOB_GANG) != 0 && L.scratchI32a(vj) != TENTATIVE) continue;
    markTentative(n, a, -1);
    if (fits(n, g)) continue;
    markTentative(n, a, 1);
  }

  // 3. Price what is left.
  cost = 0;
  setHasAm = false;
  setPriority = i32.MIN_VALUE;
  setOldest = Infinity;
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    if (L.allocPreemptState(a) != TENTATIVE) continue;
    const vj = L.allocJob(a);
    const gang = (L.jobFlags(vj) & L.JOB_GANG) != 0;
    if (!gang) cost += L.allocLostWork(a);
    else if (L.scratchI32a(vj) == TENTATIVE) {
      cost += L.jobLostWork(vj);
      L.setScratchI32a(vj, -TENTATIVE); // counted once; restored below
    }
    if (L.allocFlags(a) & L.TASK_AM) setHasAm = true;
    setPriority = max(setPriority, L.jobPriority(vj));
    setOldest = min(setOldest, L.allocStartTime(a));
  }
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    const vj = L.allocJob(a);
    if (L.scratchI32a(vj) == -TENTATIVE) L.setScratchI32a(vj, TENTATIVE);
  }
  return cost;
}

/**
 * Marks (sign 1) or unmarks (sign -1) alloc `a` on node `n` as a tentative victim. For a gang
 * every alloc of the job on `n` changes with it, and the whole job's usage moves in the release.
 */
function markTentative(n: i32, a: i32, sign: i32): void {
  const vj = L.allocJob(a);
  const state = sign > 0 ? TENTATIVE : CANDIDATE;
  const from = sign > 0 ? CANDIDATE : TENTATIVE;
  if (L.jobFlags(vj) & L.JOB_GANG) {
    for (let b = L.nodeFirstAlloc(n); b != L.NONE; b = L.allocNextOnNode(b)) {
      if (L.allocJob(b) != vj || L.allocPreemptState(b) != from) continue;
      L.setAllocPreemptState(b, state);
      addToPlanFree(n, b, <f64>sign);
    }
    L.setScratchI32a(vj, sign > 0 ? TENTATIVE : 0);
    addRelease(L.jobQueue(vj), L.jobUsageRow(vj), <f64>sign);
  } else {
    L.setAllocPreemptState(a, state);
    addToPlanFree(n, a, <f64>sign);
    addRelease(L.jobQueue(vj), L.allocRequestRow(a), <f64>sign);
  }
}

function rollbackTentative(n: i32): void {
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    if (L.allocPreemptState(a) == TENTATIVE) markTentative(n, a, -1);
  }
}

/** Turns node `n`'s tentative victims into victim rows for job `j` of starved leaf `q`. */
function commitTentative(n: i32, j: i32, q: i32): void {
  const reason = L.queueStarvedFor(q);
  for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
    if (L.allocPreemptState(a) != TENTATIVE) continue;
    const vj = L.allocJob(a);
    if ((L.jobFlags(vj) & L.JOB_GANG) == 0) {
      L.setAllocPreemptState(a, VICTIM);
      writeVictim(a, j, q, n, reason);
      continue;
    }
    // A gang goes whole: its allocs on other nodes become victims and free space there too.
    L.setScratchI32a(vj, VICTIM);
    for (let b = L.jobFirstAlloc(vj); b != L.NONE; b = L.allocNextOfJob(b)) {
      const state = L.allocPreemptState(b);
      if (state == TENTATIVE) {
        L.setAllocPreemptState(b, VICTIM);
        writeVictim(b, j, q, n, reason);
      } else if (state == CANDIDATE || state == EXCLUDED) {
        L.setAllocPreemptState(b, VICTIM);
        addToPlanFree(L.allocNode(b), b, 1);
        maxFreeBound = max(maxFreeBound, L.nodePlanFree(L.allocNode(b), costDim));
        writeVictim(b, j, q, n, reason);
      }
    }
  }
}

function writeVictim(a: i32, j: i32, q: i32, n: i32, reason: i32): void {
  const v = L.victimCount();
  // The host sizes the table for every alloc row it loads, and an alloc becomes a victim once.
  if (v >= L.victimCapacity()) return;
  L.setVictimAlloc(v, a);
  L.setVictimForJob(v, j);
  L.setVictimReason(v, reason);
  L.setVictimForNode(v, n);
  L.setVictimForQueue(v, q);
  L.setVictimCount(v + 1);
}

@inline function addToPlanFree(n: i32, a: i32, sign: f64): void {
  for (let d = 0; d < L.DIMS; d++) L.setNodePlanFree(n, d, L.nodePlanFree(n, d) + sign * L.allocRequest(a, d));
}

/** Adds `sign` x the vector at `row` to the release of leaf `q` and every ancestor. */
function addRelease(q: i32, row: usize, sign: f64): void {
  const dims = L.DIMS;
  for (let p = q; p != L.NONE; p = L.queueParent(p)) {
    for (let d = 0; d < dims; d++) {
      L.setQueuePreemptRelease(p, d, L.queuePreemptRelease(p, d) + sign * load<f64>(row + (<usize>d << 3)));
    }
  }
}

/**
 * Returns true when leaf `victimQueue` may give up the vector at `row` for starved leaf
 * `starvedQueue`: it and its ancestors below their lowest common ancestor stay at or above fair
 * share (dominant ratio) and min share (per dimension given up) after everything released.
 */
function canRelease(victimQueue: i32, starvedQueue: i32, row: usize): bool {
  if (victimQueue == starvedQueue) return false;
  const lca = commonAncestor(victimQueue, starvedQueue);
  const dims = L.DIMS;
  for (let p = victimQueue; p != lca && p != L.NONE; p = L.queueParent(p)) {
    let ratio: f64 = 0;
    let targets = false;
    for (let d = 0; d < dims; d++) {
      const freed = load<f64>(row + (<usize>d << 3));
      const after = L.queueUsage(p, d) - L.queuePreemptRelease(p, d) - freed;
      const demand = L.queueDemand(p, d);
      if (freed > 0) {
        const minTarget = min(L.queueMinResources(p, d), demand);
        if (after < minTarget * (1 - SHARE_TOLERANCE)) return false;
      }
      const fairTarget = min(L.queueFairShare(p, d), demand);
      if (fairTarget > 0) {
        targets = true;
        ratio = max(ratio, after / fairTarget);
      }
    }
    if (targets && ratio < 1 - SHARE_TOLERANCE) return false;
  }
  return true;
}

function commonAncestor(a: i32, b: i32): i32 {
  while (L.queueDepth(a) > L.queueDepth(b)) a = L.queueParent(a);
  while (L.queueDepth(b) > L.queueDepth(a)) b = L.queueParent(b);
  while (a != b) {
    a = L.queueParent(a);
    b = L.queueParent(b);
  }
  return a;
}
