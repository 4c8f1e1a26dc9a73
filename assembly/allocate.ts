// The allocation pass (YARN FairScheduler's assignment loop, extended with gangs, GPU types,
// topology and delay scheduling).
//
// A pass repeatedly takes the neediest leaf queue (descending from root by each parent's
// policy), that leaf's neediest job, and places the job's next unit of work: one task, or a
// whole gang (all pending tasks, or an elastic job's minimum) that is placed tentatively and
// rolled back unless every member fits. A job that cannot be placed leaves the pass with a
// reason, and a queue with no placeable job leaves its parent's heap, so every step either
// places a task or removes a job: the pass ends after at most placements + jobs steps.
//
// Orderings are kept in binary heaps with no allocation: each parent's children occupy a range
// of queue.heap, each leaf's jobs a range of job.heap. Keys only grow during a pass (usage
// rises), so after a placement the path from the leaf to root is restored by sift-downs.
//
// The pass keeps the state consistent as it goes: node free space, job and queue usage, AM
// usage, running counts and pending counts are updated per placement, and each placed task gets
// a live alloc row (placement.alloc) so the next pass starts from the new state.

import {
  ALLOC_LIVE, DIMS, JOB_ELASTIC, JOB_GANG, JOB_RUNNING, NONE, QUEUE_LEAF,
  REASON_AM_SHARE, REASON_ELASTIC_AT_FAIR_SHARE, REASON_EXCEEDS_LARGEST_NODE, REASON_GANG_DOES_NOT_FIT,
  REASON_NO_GPU_TYPE, REASON_NO_LABELS, REASON_NO_ROOM, REASON_NO_SCHEDULABLE_NODES, REASON_NONE,
  REASON_QUEUE_MAX_RESOURCES, REASON_QUEUE_MAX_RUNNING_APPS, REASON_TABLE_FULL, REASON_USER_MAX_RUNNING_APPS,
  REASON_WAITING_FOR_LOCALITY,
  TASK_AM,
  allocCapacity, allocCount, clusterCapacity, gpuDim, groupFlags, groupGpuTypes, groupLabels, groupPending,
  groupRequest, jobCount, jobElasticMin, jobFirstGroup, jobFlags, jobGroupCount, jobHeap, jobLocality,
  jobLocalityLevel, jobMissedOffers, jobPendingTasks, jobQueue, jobReason, jobRunningTasks, jobUsage,
  largestNode, localityThreshold, nodeDomain, nodeFree, nodeRack, passRequest, placementCapacity,
  placementCount, placementGroup, placementNode, queueAmUsage, queueCount, queueFairShare, queueFirstChild,
  queueFlags, queueHeap, queueHeapSize, queueHeapStart, queueJobHeapReady, queueJobHeapSize, queueJobHeapStart,
  jobLeastGpus, queueBrokenGangs, setQueueBrokenGangs, jobUser, jobUserMaxApps, jobUserRunningApps, queueLeastGpus, setJobHeapKey, setJobLeastGpus,
  setJobUserRunningApps, setQueueHeapKey, setQueueJobHeapReady, setQueueLeastGpus,
  queueMaxAMShare, queueMaxResources, queueMaxRunningApps, queueNextSibling, queueParent, queuePolicy,
  queueRunningApps, queueUsage, scratchCapacity, scratchF64a, setScratchF64a,
  setAllocCount, setAllocFlags, setAllocJob, setAllocLastCheckpoint, setAllocNode, setAllocRequest,
  setAllocStartTime, setGroupPending, setJobElasticMin, setJobFlags, setJobHeap, setJobMissedOffers,
  setJobPendingTasks, setJobReason, setJobReasonDim, setJobReasonLimit, setJobReasonQueue, setJobReasonValue,
  setJobRunningTasks, setJobUsage, setNodeFree, setPassRequest, setPlacementAlloc, setPlacementCount,
  setPlacementGroup, setPlacementJob, setPlacementNode, setQueueAmUsage, setQueueHeap, setQueueHeapSize,
  setQueueHeapStart, setQueueJobHeapSize, setQueueJobHeapStart, setQueueRunningApps, setQueueUsage, time,
} from "./layout";
import { compareJobs, compareQueues, isBrokenGang, jobKeyOf, queueKeyOf } from "./ordering";
import {
  bestFitAnywhere, bestFitIn, buildNodeIndex, labelsPresent, largestFreeKey, maxKey, rackOfDomain, rebucket,
  reservedNodes, schedulableNodes, setFitJob, typesPresent,
} from "./nodeindex";
import { releaseReservation } from "./preempt";

/** Results of one attempt at a job. */
const PLACED_MORE: i32 = 1;
const DONE: i32 = 0;
const SKIPPED: i32 = -1;
const TABLE_FULL: i32 = -2;

/** Topology scopes of a node search. */
const SCOPE_ANY: i32 = 0;
const SCOPE_DOMAIN: i32 = 1;
const SCOPE_RACK: i32 = 2;

/** Offers a job skips per locality level in this pass; 0 when delay scheduling is off. */
let offerLimit: i32 = 0;

/** Slots of the failed-request cache in scratch.f64a: any type, then one per single GPU type. */
const FAIL_SLOTS: i32 = 32;
/**
 * Flag set when scratch.f64a contains the failed-request cache in this pass. The cache is off
 * while any node has a reservation, because the job it is reserved for has more free space there
 * than other jobs.
 */
let failCacheOn: bool = false;

/**
 * Returns the failed-request cache slot of a search, or NONE when the search is not cached: only
 * label-free searches for any type or for exactly one type are.
 */
@inline function failSlot(types: i32, labels: i32): i32 {
  if (!failCacheOn || labels != 0) return NONE;
  if (types == 0) return 0;
  if ((types & (types - 1)) != 0) return NONE;
  return 1 + ctz(types);
}

/**
 * Returns whether passRequest is at least, in every dimension, a request that already found no
 * node in this pass. Free space only shrinks during a pass (tentative placements are rolled back
 * exactly), so such a request cannot fit either.
 */
function knownToFail(slot: i32): bool {
  if (slot == NONE) return false;
  for (let d = 0; d < DIMS; d++) if (passRequest(d) < scratchF64a(slot * DIMS + d)) return false;
  return true;
}

/** Records passRequest as failed in `slot` when its GPU count is below the recorded one. */
function recordFailure(slot: i32): void {
  if (slot == NONE) return;
  const gd = gpuDim() == NONE ? 0 : gpuDim();
  if (passRequest(gd) >= scratchF64a(slot * DIMS + gd)) return;
  for (let d = 0; d < DIMS; d++) setScratchF64a(slot * DIMS + d, passRequest(d));
}

/** Searches anywhere with the failed-request cache (valid only with no tentative placement open). */
function bestFitCached(types: i32, labels: i32): i32 {
  const slot = failSlot(types, labels);
  if (knownToFail(slot)) return NONE;
  const n = bestFitAnywhere(types, labels);
  if (n == NONE) recordFailure(slot);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Heaps

@inline function isLeaf(q: i32): bool {
  return (queueFlags(q) & QUEUE_LEAF) != 0;
}

@inline function hasWork(q: i32): bool {
  return isLeaf(q) ? queueJobHeapSize(q) > 0 : queueHeapSize(q) > 0;
}

/** Restores the heap of parent `p`'s children below position `i`. */
function queueSiftDown(p: i32, i: i32): void {
  const start = queueHeapStart(p);
  const size = queueHeapSize(p);
  const policy = queuePolicy(p);
  const x = queueHeap(start + i);
  while (true) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && compareQueues(policy, queueHeap(start + c + 1), queueHeap(start + c)) < 0) c++;
    if (compareQueues(policy, queueHeap(start + c), x) >= 0) break;
    setQueueHeap(start + i, queueHeap(start + c));
    i = c;
  }
  setQueueHeap(start + i, x);
}

/** Restores the job heap of leaf `q` below position `i`. */
function jobSiftDown(q: i32, i: i32): void {
  const start = queueJobHeapStart(q);
  const size = queueJobHeapSize(q);
  const policy = queuePolicy(q);
  const x = jobHeap(start + i);
  while (true) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && compareJobs(policy, jobHeap(start + c + 1), jobHeap(start + c)) < 0) c++;
    if (compareJobs(policy, jobHeap(start + c), x) >= 0) break;
    setJobHeap(start + i, jobHeap(start + c));
    i = c;
  }
  setJobHeap(start + i, x);
}

function removeTopQueue(p: i32): void {
  const start = queueHeapStart(p);
  const size = queueHeapSize(p) - 1;
  setQueueHeapSize(p, size);
  if (size > 0) {
    setQueueHeap(start, queueHeap(start + size));
    queueSiftDown(p, 0);
  }
}

function removeTopJob(q: i32): void {
  const start = queueJobHeapStart(q);
  const size = queueJobHeapSize(q) - 1;
  setQueueJobHeapSize(q, size);
  if (size > 0) {
    setJobHeap(start, jobHeap(start + size));
    jobSiftDown(q, 0);
  }
}

/** Returns false when no schedulable node has `gpus` free GPUs now (true when unsure). */
@inline function someNodeHas(gpus: f64): bool {
  if (!(gpus > 0)) return true;
  const top = largestFreeKey();
  return top >= maxKey || Math.floor(gpus) <= <f64>top;
}

/**
 * Returns whether some job of leaf `q` might still be placed, judged by its least GPU request:
 * false when no node has that many free GPUs, or when it would take the leaf or an ancestor past
 * maxResources in GPUs. Free space and headroom only shrink during a pass, so a false result stays
 * false for the rest of the pass.
 */
function leafMayFit(q: i32): bool {
  const gd = gpuDim();
  if (gd == NONE) return true;
  const need = queueLeastGpus(q);
  if (!someNodeHas(need)) return false;
  if (!(need > 0)) return true;
  for (let p = q; p != NONE; p = queueParent(p)) {
    if (queueUsage(p, gd) + need > queueMaxResources(p, gd)) return false;
  }
  return true;
}

/** Adds `delta` to the broken-gang count of leaf `q` and its ancestors. */
function countBrokenGang(q: i32, delta: i32): void {
  for (let p = q; p != NONE; p = queueParent(p)) setQueueBrokenGangs(p, queueBrokenGangs(p) + delta);
}

/** Computes the keys of leaf `q`'s jobs and heap-orders its job heap, the first time the pass reaches it. */
@inline function readyJobHeap(q: i32): void {
  if (queueJobHeapReady(q) != 0) return;
  const start = queueJobHeapStart(q);
  const size = queueJobHeapSize(q);
  const policy = queuePolicy(q);
  for (let i = 0; i < size; i++) {
    const j = jobHeap(start + i);
    setJobHeapKey(j, jobKeyOf(policy, j));
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) jobSiftDown(q, i);
  setQueueJobHeapReady(q, 1);
}

/**
 * Clears every job's reason and builds the job range of every leaf (jobs with pending tasks),
 * its least GPU request, the running jobs of each user, and the
 * children heap of every parent (children with placeable work), bottom-up. A leaf's job heap is
 * heap-ordered only when the pass first reaches it (readyJobHeap), and a leaf whose least request
 * fits nowhere does not enter the pass: its jobs get their reasons from explainPending.
 */
function buildHeaps(): void {
  const queues = queueCount();
  const jobs = jobCount();
  const gd = gpuDim();

  // 1. Job ranges: count pending jobs per leaf and find the least GPU request, lay the ranges
  //    out, fill.
  for (let q = 0; q < queues; q++) {
    setQueueJobHeapSize(q, 0);
    setQueueHeapSize(q, 0);
    setQueueJobHeapReady(q, 0);
    setQueueLeastGpus(q, Infinity);
    setQueueBrokenGangs(q, 0);
  }
  for (let j = 0; j < jobs; j++) {
    setJobReason(j, REASON_NONE);
    setJobUserRunningApps(j, 0);
  }
  for (let j = 0; j < jobs; j++) {
    if (jobRunningTasks(j) > 0) {
      const user = jobUser(j);
      if (user >= 0 && user < jobs) setJobUserRunningApps(user, jobUserRunningApps(user) + 1);
    }
    if (jobPendingTasks(j) <= 0) continue;
    const q = jobQueue(j);
    if (!isLeaf(q)) continue;
    setQueueJobHeapSize(q, queueJobHeapSize(q) + 1);
    if (isBrokenGang(j)) countBrokenGang(q, 1);
    if (gd == NONE) continue;
    let least: f64 = Infinity;
    const end = jobFirstGroup(j) + jobGroupCount(j);
    for (let g = jobFirstGroup(j); g < end; g++) {
      if (groupPending(g) <= 0) continue;
      const gpus = groupRequest(g, gd);
      if (gpus < least) least = gpus;
    }
    setJobLeastGpus(j, least);
    if (least < queueLeastGpus(q)) setQueueLeastGpus(q, least);
  }
  let start = 0;
  for (let q = 0; q < queues; q++) {
    setQueueJobHeapStart(q, start);
    start += queueJobHeapSize(q);
    setQueueJobHeapSize(q, 0);
  }
  for (let j = 0; j < jobs; j++) {
    if (jobPendingTasks(j) <= 0) continue;
    const q = jobQueue(j);
    if (!isLeaf(q)) continue;
    const size = queueJobHeapSize(q);
    setJobHeap(queueJobHeapStart(q) + size, j);
    setQueueJobHeapSize(q, size + 1);
  }

  // 2. Children ranges: one slot per configured child.
  start = 0;
  for (let q = 0; q < queues; q++) {
    setQueueHeapStart(q, start);
    for (let c = queueFirstChild(q); c != NONE; c = queueNextSibling(c)) start++;
  }

  // 3. Bottom-up (rows are parents before children): heapify a parent's heap once all its
  //    children are in, then enter the queue into its parent's heap if it has work.
  for (let q = 1; q < queues; q++) setQueueHeapKey(q, queueKeyOf(queuePolicy(queueParent(q)), q));
  for (let q = queues - 1; q >= 0; q--) {
    if (isLeaf(q)) {
      if (queueJobHeapSize(q) > 0 && !leafMayFit(q)) setQueueJobHeapSize(q, 0);
    } else {
      for (let i = (queueHeapSize(q) >> 1) - 1; i >= 0; i--) queueSiftDown(q, i);
    }
    if (q == 0 || !hasWork(q)) continue;
    const p = queueParent(q);
    const size = queueHeapSize(p);
    setQueueHeap(queueHeapStart(p) + size, q);
    setQueueHeapSize(p, size + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Reasons

function setReason(j: i32, code: i32, queue: i32, dim: i32, value: f64, limit: f64): void {
  setJobReason(j, code);
  setJobReasonQueue(j, queue);
  setJobReasonDim(j, dim);
  setJobReasonValue(j, value);
  setJobReasonLimit(j, limit);
}

/** Returns the dimension a request is best described by: gpu when it asks for GPUs, else the first it asks for. */
function describingDim(g: i32): i32 {
  const gd = gpuDim();
  if (gd != NONE && groupRequest(g, gd) > 0) return gd;
  for (let d = 0; d < DIMS; d++) if (groupRequest(g, d) > 0) return d;
  return 0;
}

/** Sets a "no room" reason for one task of group `g`. */
function setNoRoom(j: i32, g: i32): void {
  const d = describingDim(g);
  setReason(j, REASON_NO_ROOM, NONE, d, groupRequest(g, d), clusterCapacity(d) - queueUsage(0, d));
}

// ---------------------------------------------------------------------------------------------
// Units of work: the first `unit` pending tasks of a job, in group order

/** Writes the summed request of the job's first `unit` pending tasks into passRequest. */
function loadUnitTotal(j: i32, unit: i32): void {
  for (let d = 0; d < DIMS; d++) setPassRequest(d, 0);
  let left = unit;
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end && left > 0; g++) {
    const take = min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    for (let d = 0; d < DIMS; d++) setPassRequest(d, passRequest(d) + <f64>take * groupRequest(g, d));
  }
}

function loadGroupRequest(g: i32): void {
  for (let d = 0; d < DIMS; d++) setPassRequest(d, groupRequest(g, d));
}

/**
 * Sets a reason and returns false when a group of the unit can never be placed on the current
 * nodes: no schedulable node, no node of an acceptable GPU type, no node with the labels, or a
 * task larger than the largest node.
 */
function unitIsFeasible(j: i32, unit: i32): bool {
  if (schedulableNodes == 0) {
    setReason(j, REASON_NO_SCHEDULABLE_NODES, NONE, 0, 0, 0);
    return false;
  }
  let left = unit;
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end && left > 0; g++) {
    const take = min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    const types = groupGpuTypes(g);
    if (types != 0 && (types & typesPresent) == 0) {
      setReason(j, REASON_NO_GPU_TYPE, NONE, gpuDim(), <f64>types, 0);
      return false;
    }
    const labels = groupLabels(g);
    if ((labels & ~labelsPresent) != 0) {
      setReason(j, REASON_NO_LABELS, NONE, 0, <f64>labels, 0);
      return false;
    }
    for (let d = 0; d < DIMS; d++) {
      if (groupRequest(g, d) > largestNode(d)) {
        setReason(j, REASON_EXCEEDS_LARGEST_NODE, NONE, d, groupRequest(g, d), largestNode(d));
        return false;
      }
    }
  }
  return true;
}

/**
 * Sets a reason and returns false when the unit (its total in passRequest) would break a limit:
 * maxRunningApps of the job's user, the leaf or an ancestor when the job is not running yet,
 * maxResources of the leaf or any ancestor (usage + request <= max), or maxAMShare of the leaf
 * for AM tasks.
 */
function unitWithinLimits(j: i32, unit: i32, running: bool): bool {
  const leaf = jobQueue(j);

  // 1. maxRunningApps of the user (checked first, as YARN does), then of the queues, for a job
  //    that would start running.
  if (!running) {
    const user = jobUser(j);
    if (user >= 0 && user < jobCount()) {
      const limit = jobUserMaxApps(user);
      if (limit >= 0 && jobUserRunningApps(user) >= limit) {
        setReason(j, REASON_USER_MAX_RUNNING_APPS, NONE, 0, <f64>jobUserRunningApps(user), <f64>limit);
        return false;
      }
    }
    for (let q = leaf; q != NONE; q = queueParent(q)) {
      const max = queueMaxRunningApps(q);
      if (max >= 0 && queueRunningApps(q) >= max) {
        setReason(j, REASON_QUEUE_MAX_RUNNING_APPS, q, 0, <f64>queueRunningApps(q), <f64>max);
        return false;
      }
    }
  }

  // 2. maxResources, counting the request itself.
  loadUnitTotal(j, unit);
  for (let q = leaf; q != NONE; q = queueParent(q)) {
    for (let d = 0; d < DIMS; d++) {
      const max = queueMaxResources(q, d);
      if (queueUsage(q, d) + passRequest(d) > max) {
        setReason(j, REASON_QUEUE_MAX_RESOURCES, q, d, queueUsage(q, d), max);
        return false;
      }
    }
  }

  // 3. maxAMShare of the leaf: amUsage + AM request <= maxAMShare x fair share.
  const share = queueMaxAMShare(leaf);
  if (share < 0) return true;
  let left = unit;
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end && left > 0; g++) {
    const take = min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    if ((groupFlags(g) & TASK_AM) == 0) continue;
    for (let d = 0; d < DIMS; d++) {
      const request = <f64>take * groupRequest(g, d);
      if (request <= 0) continue;
      const limit = share * queueFairShare(leaf, d);
      if (queueAmUsage(leaf, d) + request > limit) {
        setReason(j, REASON_AM_SHARE, leaf, d, queueAmUsage(leaf, d), limit);
        return false;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Placement: tentative, rolled back, committed

/** Records a tentative placement of one task of group `g` on node `n` and takes its space. */
function placeTentative(j: i32, g: i32, n: i32): void {
  const p = placementCount();
  setPlacementCount(p + 1);
  setPlacementJob(p, j);
  setPlacementGroup(p, g);
  setPlacementNode(p, n);
  setPlacementAlloc(p, NONE);
  for (let d = 0; d < DIMS; d++) setNodeFree(n, d, nodeFree(n, d) - groupRequest(g, d));
  rebucket(n);
}

/** Undoes the tentative placements from row `start` on, newest first. */
function rollback(start: i32): void {
  for (let p = placementCount() - 1; p >= start; p--) {
    const n = placementNode(p);
    const g = placementGroup(p);
    for (let d = 0; d < DIMS; d++) setNodeFree(n, d, nodeFree(n, d) + groupRequest(g, d));
    rebucket(n);
  }
  setPlacementCount(start);
}

/**
 * Makes the placements from row `start` on final: writes a live alloc row for each, adds the
 * request to job, leaf and ancestor usage (and AM usage), and moves tasks from pending to running.
 */
function commit(j: i32, start: i32): void {
  const leaf = jobQueue(j);
  const wasRunning = jobRunningTasks(j) > 0;
  const wasBroken = isBrokenGang(j);
  const now = time();
  const count = placementCount();
  for (let p = start; p < count; p++) {
    const g = placementGroup(p);
    const am = groupFlags(g) & TASK_AM;
    const a = allocCount();
    setAllocCount(a + 1);
    setAllocJob(a, j);
    setAllocNode(a, placementNode(p));
    setAllocFlags(a, ALLOC_LIVE | am);
    setAllocStartTime(a, now);
    setAllocLastCheckpoint(a, NaN);
    setPlacementAlloc(p, a);
    for (let d = 0; d < DIMS; d++) {
      const r = groupRequest(g, d);
      setAllocRequest(a, d, r);
      setJobUsage(j, d, jobUsage(j, d) + r);
      for (let q = leaf; q != NONE; q = queueParent(q)) {
        setQueueUsage(q, d, queueUsage(q, d) + r);
        if (am != 0) setQueueAmUsage(q, d, queueAmUsage(q, d) + r);
      }
    }
    setGroupPending(g, groupPending(g) - 1);
  }
  const placed = count - start;
  setJobPendingTasks(j, jobPendingTasks(j) - placed);
  setJobRunningTasks(j, jobRunningTasks(j) + placed);
  if (!wasRunning && placed > 0) {
    setJobFlags(j, jobFlags(j) | JOB_RUNNING);
    const user = jobUser(j);
    if (user >= 0 && user < jobCount()) setJobUserRunningApps(user, jobUserRunningApps(user) + 1);
    for (let q = leaf; q != NONE; q = queueParent(q)) setQueueRunningApps(q, queueRunningApps(q) + 1);
  }
  // Keys and broken-gang counts follow the new usage and counts.
  if (wasBroken && !isBrokenGang(j)) countBrokenGang(leaf, -1);
  setJobHeapKey(j, jobKeyOf(queuePolicy(leaf), j));
  for (let q = leaf; q != 0; q = queueParent(q)) setQueueHeapKey(q, queueKeyOf(queuePolicy(queueParent(q)), q));

  // Space reserved for this job is now taken by it.
  if (reservedNodes > 0) {
    for (let p = start; p < count; p++) releaseReservation(placementNode(p), placementGroup(p));
  }
}

/** Returns the node for passRequest in `scope`: anywhere, one NVLink domain or one rack. */
@inline function searchScope(scope: i32, id: i32, types: i32, labels: i32): i32 {
  if (scope == SCOPE_ANY) return bestFitAnywhere(types, labels);
  return bestFitIn(scope == SCOPE_RACK, id, types, labels);
}

/**
 * Places the job's first `unit` pending tasks tentatively within `scope` and returns how many
 * found room. On a shortfall it rolls all of them back, so the placement table holds either the
 * whole unit or nothing of it.
 *
 * 1. A gang first tries one node that holds the whole unit.
 * 2. Otherwise members go one at a time: next to the first member (its NVLink domain, then its
 *    rack), else the best fit in the scope.
 */
function placeUnit(j: i32, unit: i32, scope: i32, id: i32): i32 {
  const start = placementCount();
  const first = jobFirstGroup(j);
  const end = first + jobGroupCount(j);

  // 1. One node for the whole gang.
  if (unit > 1) {
    let types = 0;
    let labels = 0;
    let left = unit;
    for (let g = first; g < end && left > 0; g++) {
      const take = min(groupPending(g), left);
      if (take <= 0) continue;
      left -= take;
      const t = groupGpuTypes(g);
      if (t != 0) types = types == 0 ? t : types & t;
      labels |= groupLabels(g);
    }
    loadUnitTotal(j, unit);
    const n = scope == SCOPE_ANY ? bestFitCached(types, labels) : searchScope(scope, id, types, labels);
    if (n != NONE) {
      left = unit;
      for (let g = first; g < end && left > 0; g++) {
        const take = min(groupPending(g), left);
        for (let k = 0; k < take; k++) placeTentative(j, g, n);
        left -= take;
      }
      return unit;
    }
  }

  // 2. Member by member, near the first member.
  let anchor = NONE;
  let placed = 0;
  let left = unit;
  for (let g = first; g < end && left > 0; g++) {
    const take = min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    const types = groupGpuTypes(g);
    const labels = groupLabels(g);
    loadGroupRequest(g);
    for (let k = 0; k < take; k++) {
      let n = NONE;
      if (anchor != NONE) {
        const domain = nodeDomain(anchor);
        if (domain != NONE) n = bestFitIn(false, domain, types, labels);
        const rack = nodeRack(anchor);
        if (n == NONE && rack != NONE && scope != SCOPE_DOMAIN) n = bestFitIn(true, rack, types, labels);
      }
      if (n == NONE) {
        n = scope == SCOPE_ANY && placed == 0 ? bestFitCached(types, labels) : searchScope(scope, id, types, labels);
      }
      if (n == NONE) {
        rollback(start);
        return placed;
      }
      placeTentative(j, g, n);
      placed++;
      if (anchor == NONE) anchor = n;
    }
  }
  return placed;
}

/** Returns the first group of the job with a pending task. */
function firstPendingGroup(j: i32): i32 {
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end; g++) if (groupPending(g) > 0) return g;
  return jobFirstGroup(j);
}

/** Sets the reason for a unit that found no room anywhere (`placed` of `unit` members fitted). */
function setNoFit(j: i32, unit: i32, placed: i32): void {
  if (unit > 1) {
    const g = firstPendingGroup(j);
    setReason(j, REASON_GANG_DOES_NOT_FIT, NONE, describingDim(g), <f64>placed, <f64>unit);
  } else {
    setNoRoom(j, firstPendingGroup(j));
  }
}

/**
 * Tries to place the job's next unit of work and returns PLACED_MORE (placed, tasks remain),
 * DONE (nothing pending any more), SKIPPED (a reason is set) or TABLE_FULL.
 *
 * 1. Size the unit: every pending task of a gang, an elastic job's minimum until it runs, else 1.
 * 2. Reject what no node can ever hold, then what a queue limit forbids.
 * 3. Delay scheduling: while the job waits for its NVLink domain or rack, try only there; an
 *    offer it passes up (room elsewhere) counts in job.missedOffers, and every offerLimit
 *    skipped offers relax the scope one level (domain, rack, anywhere).
 * 4. Place the unit, all or nothing, and commit it.
 */
/** Returns the job's next unit of work: every pending task of a gang, an elastic job's minimum until it runs, else 1. */
function unitOf(j: i32): i32 {
  const pending = jobPendingTasks(j);
  const flags = jobFlags(j);
  if ((flags & JOB_GANG) != 0) return pending;
  if ((flags & JOB_ELASTIC) != 0 && jobRunningTasks(j) == 0) return max(1, min(jobElasticMin(j), pending));
  return 1;
}

/**
 * Sets a reason and returns false when the unit can never be placed on the current nodes, would
 * break a queue limit, or would grow a running elastic job past its queue's fair share. Leaves the
 * unit's total in passRequest.
 */
function unitAllowed(j: i32, unit: i32): bool {
  const running = jobRunningTasks(j) > 0;
  if (!unitIsFeasible(j, unit)) return false;
  if (!unitWithinLimits(j, unit, running)) return false;
  if ((jobFlags(j) & JOB_ELASTIC) != 0 && running) {
    const leaf = jobQueue(j);
    const d = describingDim(firstPendingGroup(j));
    const share = queueFairShare(leaf, d);
    if (queueUsage(leaf, d) + passRequest(d) > share) {
      setReason(j, REASON_ELASTIC_AT_FAIR_SHARE, leaf, d, queueUsage(leaf, d), share);
      return false;
    }
  }
  return true;
}

function tryJob(j: i32): i32 {
  if (jobPendingTasks(j) <= 0) return DONE;

  // 1. The unit.
  const flags = jobFlags(j);
  const unit = unitOf(j);

  // 2. Feasibility and limits.
  if (!unitAllowed(j, unit)) return SKIPPED;
  if (placementCount() + unit > placementCapacity() || allocCount() + unit > allocCapacity()) return TABLE_FULL;
  setFitJob(j);

  // 3. Locality.
  const start = placementCount();
  const level = jobLocalityLevel(j);
  const target = jobLocality(j);
  let placed = 0;
  let done = false;
  if (level > 0 && target != NONE) {
    let scope = level == 1 ? SCOPE_DOMAIN : SCOPE_RACK;
    let id = target;
    const missed = jobMissedOffers(j);
    if (offerLimit > 0) {
      const relaxed = missed / offerLimit;
      if (relaxed >= 1 && scope == SCOPE_DOMAIN) {
        scope = SCOPE_RACK;
        id = rackOfDomain(target);
        if (relaxed >= 2) scope = SCOPE_ANY;
      } else if (relaxed >= 1) {
        scope = SCOPE_ANY;
      }
      if (id == NONE) scope = SCOPE_ANY;
    }
    if (scope != SCOPE_ANY) {
      placed = placeUnit(j, unit, scope, id);
      done = placed == unit;
      if (!done && offerLimit > 0) {
        // Passing up room elsewhere is a skipped offer; no room anywhere is not.
        const elsewhere = placeUnit(j, unit, SCOPE_ANY, NONE);
        if (elsewhere == unit) {
          rollback(start);
          setJobMissedOffers(j, missed + 1);
          setReason(j, REASON_WAITING_FOR_LOCALITY, NONE, 0, <f64>(missed + 1), <f64>(offerLimit * (3 - level)));
        } else {
          setNoFit(j, unit, elsewhere);
        }
        return SKIPPED;
      }
    }
  }

  // 4. Anywhere, then commit.
  if (!done) {
    placed = placeUnit(j, unit, SCOPE_ANY, NONE);
    if (placed < unit) {
      setNoFit(j, unit, placed);
      return SKIPPED;
    }
  }
  commit(j, start);
  if ((flags & JOB_ELASTIC) != 0 && unit > 1) setJobElasticMin(j, 1);
  return jobPendingTasks(j) > 0 ? PLACED_MORE : DONE;
}

// ---------------------------------------------------------------------------------------------
// The pass

/**
 * Runs one allocation pass over the bound state and returns the placements written
 * (placement rows 0 .. n-1), or -1 when scratch has no room for the node index.
 * Every job left with pending tasks gets a reason in job.reason.
 */
export function schedulePass(): i32 {
  setPlacementCount(0);
  const jobs = jobCount();

  // 1. Indexes: nodes by free GPUs and topology, queues and jobs in heaps.
  if (!buildNodeIndex()) return -1;
  const threshold = localityThreshold();
  offerLimit = threshold > 0 ? max(1, <i32>Math.ceil(threshold * <f64>schedulableNodes)) : 0;
  buildHeaps();
  failCacheOn = scratchCapacity() >= FAIL_SLOTS * DIMS && reservedNodes == 0;
  if (failCacheOn) for (let k = 0; k < FAIL_SLOTS * DIMS; k++) setScratchF64a(k, Infinity);

  // 2. Place until no queue has a placeable job.
  const gd = gpuDim();
  let full = false;
  while (hasWork(0)) {
    let q = 0;
    while (!isLeaf(q)) q = queueHeap(queueHeapStart(q));
    const before = placementCount();
    if (!leafMayFit(q)) {
      // The leaf leaves the pass; explainPending gives its jobs their reasons.
      setQueueJobHeapSize(q, 0);
    } else {
      readyJobHeap(q);
      const j = jobHeap(queueJobHeapStart(q));
      if (gd != NONE && !someNodeHas(jobLeastGpus(j))) {
        // Fits nowhere (nor later in this pass); explainPending gives the reason.
        removeTopJob(q);
      } else {
        const result = tryJob(j);
        if (result == TABLE_FULL) {
          full = true;
          break;
        }
        if (result == PLACED_MORE) jobSiftDown(q, 0);
        else removeTopJob(q);
      }
    }

    // Restore each parent heap on the path; a child left without work leaves its parent's heap.
    // Without a placement no key changed, so a leaf that keeps work leaves the heaps valid.
    let empty = queueJobHeapSize(q) == 0;
    if (!empty && placementCount() == before) continue;
    let child = q;
    while (child != 0) {
      const p = queueParent(child);
      if (empty) {
        removeTopQueue(p);
        empty = queueHeapSize(p) == 0;
      } else {
        queueSiftDown(p, 0);
      }
      child = p;
    }
  }

  // 3. Jobs the pass did not reach because the output tables filled up (leaves still in it).
  if (full) {
    for (let j = 0; j < jobs; j++) {
      if (jobPendingTasks(j) <= 0 || jobReason(j) != REASON_NONE) continue;
      const q = jobQueue(j);
      if (isLeaf(q) && queueJobHeapSize(q) > 0) setReason(j, REASON_TABLE_FULL, NONE, 0, 0, 0);
    }
  }
  return placementCount();
}

/**
 * Sets the reason of every pending job of a leaf queue that the last pass left without one,
 * because its leaf left the pass (no node had room for the leaf's least request) or no node had
 * room for its own least request. The reason is the one at the end of the pass: the checks of
 * tryJob in the same order, then "no room" (for a gang, 0 members found room). Runs after
 * schedulePass, against the same node index. Jobs of parent queues keep REASON_NONE.
 */
export function explainPending(): void {
  const jobs = jobCount();
  for (let j = 0; j < jobs; j++) {
    if (jobPendingTasks(j) <= 0 || jobReason(j) != REASON_NONE) continue;
    if (!isLeaf(jobQueue(j))) continue;
    const unit = unitOf(j);
    if (!unitAllowed(j, unit)) continue;
    setNoFit(j, unit, 0);
  }
}
