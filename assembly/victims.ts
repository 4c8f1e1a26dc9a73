// Victim selection: which running tasks to stop so that starved queues get their share, as
// YARN FairScheduler's FSPreemptionThread does, extended with gangs, checkpoints and
// reservations.
//
// Rules (a victim is a live alloc):
// - It belongs to a preemptible job (JOB_PREEMPTIBLE) in a QUEUE_PREEMPTABLE leaf, was not
//   placed by this pass, and its leaf is not the starved leaf.
// - Its leaf, and every ancestor below the lowest common ancestor with the starved leaf, stays
//   at or above its fair share after the plan (dominant ratio of usage to min(fairShare, demand)
//   at least 1), and at or above min(minResources, demand) in every dimension it gives up. The
//   common ancestors keep their usage: the space moves inside them. A queue inside its min share
//   therefore never loses the dimensions it is inside in, whatever its weight.
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
// i32b and i32c hold the node and group of each task of the batch being planned.

import * as L from "./layout";
import { updateStarvation, SHARE_TOLERANCE } from "./starvation";

const CANDIDATE: i32 = 0;
const VICTIM: i32 = 1;
const TENTATIVE: i32 = 2;
const EXCLUDED: i32 = 3;

/** Absolute slack of fit tests, in resource units. */
const FIT_TOLERANCE: f64 = 1e-9;

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
 * 3. Build the work space: each node's list of live allocs, its free space net of other jobs'
 *    reservations, each alloc's and job's lost work, and which allocs may be victims at all.
 *
 * 4. Visit jobs in row order. A job of a starved leaf with pending tasks and no live
 *    reservation plans its next task (or, for a gang or an elastic job below its minimum, the
 *    whole batch that must start together) while its leaf's uncovered starvation lasts.
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
  const costDim = L.gpuDim() == L.NONE ? 0 : L.gpuDim();
  for (let n = 0; n < nodes; n++) {
    L.setNodeFirstAlloc(n, L.NONE);
    for (let d = 0; d < dims; d++) L.setNodePlanFree(n, d, L.nodeFree(n, d) - L.nodeReserved(n, d));
  }
  for (let q = 0; q < queues; q++) {
    for (let d = 0; d < dims; d++) L.setQueuePreemptRelease(q, d, 0);
  }
  for (let j = 0; j < jobs; j++) {
    L.setJobLostWork(j, 0);
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
    const n = L.allocNode(a);
    L.setAllocNextOnNode(a, L.nodeFirstAlloc(n));
    L.setNodeFirstAlloc(n, a);
    const preemptable = (L.jobFlags(j) & L.JOB_PREEMPTIBLE) != 0 && (L.queueFlags(L.jobQueue(j)) & L.QUEUE_PREEMPTABLE) != 0;
    L.setAllocPreemptState(a, preemptable ? CANDIDATE : EXCLUDED);
  }
  const placements = L.placementCount();
  for (let p = 0; p < placements; p++) {
    const a = L.placementAlloc(p);
    if (a >= 0 && a < allocs) L.setAllocPreemptState(a, EXCLUDED);
  }

  // 4. Starved jobs.
  for (let j = 0; j < jobs; j++) {
    const q = L.jobQueue(j);
    if (L.queueStarvedFor(q) == 0) continue;
    if (L.jobPendingTasks(j) <= 0 || L.jobReservations(j) > 0) continue;
    planJob(j, q);
  }
  return L.victimCount();
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
 * Plans job `j` of starved leaf `q`. A gang needs all its pending tasks at once, an elastic job
 * that has not started needs its minimum; those batches are kept whole or not at all and only
 * when they exceed the leaf's uncovered starvation by less than one task. Other jobs plan one
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
}

/**
 * Finds the node where one task of group `g` (job `j`, starved leaf `q`) fits at the least lost
 * work, commits its victims and promises the space. Returns the node, or NONE when no node can
 * make room within the rules.
 */
function placeTask(j: i32, g: i32, q: i32): i32 {
  const nodes = L.nodeCount();
  const now = L.time();
  const types = L.groupGpuTypes(g);
  const labels = L.groupLabels(g);
  let best = L.NONE;
  let bestCost: f64 = Infinity;
  let bestHasAm = false;
  let bestPriority: i32 = 0;
  let bestOldest: f64 = 0;

  // 1. Every node the task may run on: the cheapest victim set wins (see the file header).
  for (let n = 0; n < nodes; n++) {
    if ((L.nodeFlags(n) & L.NODE_SCHEDULABLE) == 0) continue;
    if (types != 0) {
      const type = L.nodeGpuType(n);
      if (type == L.NONE) continue;
      if ((types & (1 << type)) == 0) continue;
    }
    if ((labels & ~L.nodeLabels(n)) != 0) continue;
    if (L.nodeReservedUntil(n) > now && L.nodeReservedFor(n) != j) continue;
    if (!canEverFit(n, g)) continue;
    if (fits(n, g)) {
      best = n;
      bestCost = 0;
      break;
    }
    const cost = selectVictims(n, g, q, bestHasAm ? Infinity : bestCost);
    rollbackTentative(n);
    if (cost == Infinity) continue;
    if (best != L.NONE) {
      if (setHasAm != bestHasAm) {
        if (setHasAm) continue;
      } else if (cost != bestCost) {
        if (cost > bestCost) continue;
      } else if (setPriority != bestPriority) {
        if (setPriority > bestPriority) continue;
      } else if (setOldest <= bestOldest) continue;
    }
    best = n;
    bestHasAm = setHasAm;
    bestCost = cost;
    bestPriority = setPriority;
    bestOldest = setOldest;
  }
  if (best == L.NONE) return L.NONE;

  // 2. Commit: redo the winning selection, turn it into victim rows, promise the space.
  if (!fits(best, g)) {
    selectVictims(best, g, q, Infinity);
    commitTentative(best, j, q);
  }
  const until = now + L.reservationTimeout();
  if (L.nodeReservedFor(best) != j) clearReservation(best);
  L.setNodeReservedFor(best, j);
  L.setNodeReservedUntil(best, until);
  for (let d = 0; d < L.DIMS; d++) {
    const r = L.groupRequest(g, d);
    L.setNodePlanFree(best, d, L.nodePlanFree(best, d) - r);
    L.setNodeReserved(best, d, L.nodeReserved(best, d) + r);
    L.setQueuePreemptNeed(q, d, L.queuePreemptNeed(q, d) - r);
  }
  return best;
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
 * Chooses victims on node `n` for one task of group `g`, greedily by (AM last, lost work, lower
 * priority, newer start, higher row), then drops every victim the task can do without. Marks
 * them TENTATIVE and adds their space to the node's planFree and their queues' release. Returns
 * the set's lost work (and its priority and oldest start in setPriority / setOldest), or
 * Infinity when the node cannot make room or the cost passes `bound`.
 */
function selectVictims(n: i32, g: i32, q: i32, bound: f64): f64 {
  let cost: f64 = 0;

  // 1. Greedy cover.
  while (!fits(n, g)) {
    let pick = L.NONE;
    let pickAm = false;
    let pickCost: f64 = 0;
    let pickPriority: i32 = 0;
    let pickStart: f64 = 0;
    for (let a = L.nodeFirstAlloc(n); a != L.NONE; a = L.allocNextOnNode(a)) {
      if (L.allocPreemptState(a) != CANDIDATE) continue;
      if (!helps(a, n, g)) continue;
      const vj = L.allocJob(a);
      const gang = (L.jobFlags(vj) & L.JOB_GANG) != 0;
      const am = (L.allocFlags(a) & L.TASK_AM) != 0;
      const c = gang ? L.jobLostWork(vj) : L.allocLostWork(a);
      const priority = L.jobPriority(vj);
      const start = L.allocStartTime(a);
      if (pick != L.NONE) {
        if (am != pickAm) {
          if (am) continue;
        } else if (c != pickCost) {
          if (c > pickCost) continue;
        } else if (priority != pickPriority) {
          if (priority > pickPriority) continue;
        } else if (start != pickStart) {
          if (start < pickStart) continue;
        } else if (a < pick) continue;
      }
      if (!canRelease(L.jobQueue(vj), q, gang ? L.jobUsageRow(vj) : L.allocRequestRow(a))) continue;
      pick = a;
      pickAm = am;
      pickCost = c;
      pickPriority = priority;
      pickStart = start;
    }
    if (pick == L.NONE) return Infinity;
    markTentative(n, pick, 1);
    cost += pickCost;
    if (cost > bound) return Infinity;
  }

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
  return cost > bound ? Infinity : cost;
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
    const allocs = L.allocCount();
    for (let b = 0; b < allocs; b++) {
      if (L.allocJob(b) != vj) continue;
      const state = L.allocPreemptState(b);
      if (state == TENTATIVE) {
        L.setAllocPreemptState(b, VICTIM);
        writeVictim(b, j, q, n, reason);
      } else if (state == CANDIDATE || (state == EXCLUDED && (L.allocFlags(b) & L.ALLOC_LIVE) != 0)) {
        L.setAllocPreemptState(b, VICTIM);
        addToPlanFree(L.allocNode(b), b, 1);
        writeVictim(b, j, q, n, reason);
      }
    }
  }
}

function writeVictim(a: i32, j: i32, q: i32, n: i32, reason: i32): void {
  const v = L.victimCount();
  if (v >= L.victimCapacity()) return; // every alloc is a victim at most once, so this never fills
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
