// Node index of the allocation pass: schedulable nodes bucketed by free GPUs and GPU type, so a
// best-fit search visits only nodes that have enough GPUs, plus two topology orders (by NVLink
// domain, by rack) for gang and locality searches.
//
// Buckets are intrusive doubly-linked lists through node.bucketNext / node.bucketPrev; the heads
// live in scratch.i32a, one per (type slot, free-GPU key):
//
//   scratch.i32a: [ slot 0: key 0 .. maxKey | slot 1: key 0 .. maxKey | ... ]
//   slot 0 = nodes without a GPU type, slot t + 1 = nodes of GPU type t
//   key    = min(floor(free gpu), maxKey); 0 for every node when there is no gpu dimension
//
// A node whose free space changes moves to the head of its new bucket, so within a bucket the
// nodes touched most recently (in racks and domains already partly used) are tried first. Fully
// free nodes start in topology order (rack, domain, row), so fresh nodes are taken rack by rack.

import {
  DIMS, NODE_SCHEDULABLE, NONE,
  gpuDim, gpuTypeCount, largestNode, nodeBucket, nodeBucketNext, nodeBucketPrev, nodeByDomain, nodeByRack,
  nodeCapacity, nodeCount, nodeDomain, nodeDomainStart, nodeFlags, nodeFree, nodeGpuType, nodeLabels, nodeRack,
  nodeRackStart, nodeReservedUntil, passRequest, scratchCapacity, scratchI32a, scratchI32b, setLargestNode,
  setNodeBucket, setNodeBucketNext, setNodeBucketPrev, setNodeByDomain, setNodeByRack, setNodeDomainStart,
  setNodeRackStart, setScratchI32a, setScratchI32b, setTopologyReady, time, topologyReady,
} from "./layout";
import { reservedAgainst } from "./preempt";

/** Upper bound on the free-GPU key; nodes with more free GPUs share the top bucket. */
const MAX_KEY: i32 = 64;

/** Largest key of the current index. */
export let maxKey: i32 = 0;
/** Type slots of the current index: gpuTypeCount + 1, or 1 when scratch is too small. */
export let slots: i32 = 1;
/** Schedulable nodes in the current index. */
export let schedulableNodes: i32 = 0;
/** Bit set of GPU types present on schedulable nodes. */
export let typesPresent: i32 = 0;
/** Union of the label bits of schedulable nodes. */
export let labelsPresent: i32 = 0;
/** Schedulable nodes with an unexpired reservation from preemption. */
export let reservedNodes: i32 = 0;
/** Job the searches fit for: space that preemption reserved for it counts as free; NONE for none. */
let fitJob: i32 = NONE;
/** Upper bound on the highest non-empty key: raised by rebucket, lowered by largestFreeKey. */
let topKey: i32 = 0;

/** Returns the bucket key of `free` GPUs. */
@inline function keyOf(free: f64): i32 {
  if (gpuDim() == NONE || free <= 0) return 0;
  const key = <i32>Math.floor(free);
  return key < maxKey ? key : maxKey;
}

@inline function slotOf(n: i32): i32 {
  if (slots == 1) return 0;
  return nodeGpuType(n) + 1;
}

@inline function headIndex(slot: i32, key: i32): i32 {
  return slot * (maxKey + 1) + key;
}

function unlink(n: i32): void {
  const b = nodeBucket(n);
  if (b == NONE) return;
  const prev = nodeBucketPrev(n);
  const next = nodeBucketNext(n);
  if (prev == NONE) setScratchI32a(b, next);
  else setNodeBucketNext(prev, next);
  if (next != NONE) setNodeBucketPrev(next, prev);
  setNodeBucket(n, NONE);
}

function pushFront(n: i32, b: i32): void {
  const head = scratchI32a(b);
  setNodeBucketPrev(n, NONE);
  setNodeBucketNext(n, head);
  if (head != NONE) setNodeBucketPrev(head, n);
  setScratchI32a(b, n);
  setNodeBucket(n, b);
}

/** Moves node `n` to the head of the bucket that matches its free GPUs now. */
export function rebucket(n: i32): void {
  if (nodeBucket(n) == NONE) return;
  const gd = gpuDim();
  const key = keyOf(gd == NONE ? 0 : nodeFree(n, gd));
  if (key > topKey) topKey = key;
  unlink(n);
  pushFront(n, headIndex(slotOf(n), key));
}

/**
 * Returns the key of the node with the most free GPUs (of any type): floor(free GPUs), capped at
 * maxKey. A request for more than this many whole GPUs fits no node, unless the key is maxKey.
 */
export function largestFreeKey(): i32 {
  while (topKey > 0) {
    for (let slot = 0; slot < slots; slot++) {
      if (scratchI32a(headIndex(slot, topKey)) != NONE) return topKey;
    }
    topKey--;
  }
  return 0;
}

/**
 * Builds the bucket index over schedulable nodes and records the largest node per dimension,
 * the GPU types and labels present. Returns false when scratch cannot hold even one bucket.
 */
export function buildNodeIndex(): bool {
  const nodes = nodeCount();
  const gd = gpuDim();

  // 1. Size the index: the largest GPU capacity bounds the key; scratch bounds the head table.
  let largestGpu: f64 = 0;
  for (let d = 0; d < DIMS; d++) setLargestNode(d, 0);
  schedulableNodes = 0;
  typesPresent = 0;
  labelsPresent = 0;
  reservedNodes = 0;
  const now = time();
  for (let n = 0; n < nodes; n++) {
    if ((nodeFlags(n) & NODE_SCHEDULABLE) == 0) continue;
    schedulableNodes++;
    if (nodeReservedUntil(n) > now) reservedNodes++;
    if (nodeGpuType(n) >= 0) typesPresent |= 1 << nodeGpuType(n);
    labelsPresent |= nodeLabels(n);
    for (let d = 0; d < DIMS; d++) {
      if (nodeCapacity(n, d) > largestNode(d)) setLargestNode(d, nodeCapacity(n, d));
    }
  }
  if (gd != NONE) largestGpu = largestNode(gd);
  const room = scratchCapacity();
  if (room < 1) return false;
  maxKey = gd == NONE ? 0 : <i32>Math.min(<f64>MAX_KEY, Math.floor(largestGpu));
  slots = gpuTypeCount() + 1;
  if (slots * (maxKey + 1) > room) slots = 1;
  if (maxKey + 1 > room) maxKey = room - 1;
  const heads = slots * (maxKey + 1);
  for (let b = 0; b < heads; b++) setScratchI32a(b, NONE);

  // 2. Insert nodes in reverse rack order, so pushing to the front leaves each bucket in rack,
  //    domain, row order.
  if (!topologyReady()) buildTopologyOrders();
  topKey = maxKey;
  for (let i = nodes - 1; i >= 0; i--) {
    const n = nodeByRack(i);
    setNodeBucket(n, NONE);
    if ((nodeFlags(n) & NODE_SCHEDULABLE) == 0) continue;
    pushFront(n, headIndex(slotOf(n), keyOf(gd == NONE ? 0 : nodeFree(n, gd))));
  }
  return true;
}

/** Sets the job that the following searches fit for (see nodeFits). */
export function setFitJob(j: i32): void {
  fitJob = j;
}

/**
 * Returns whether node `n` can take `passRequest` now: it carries every label in `labels`, its
 * GPU type is in `types` (0 accepts any, including untyped nodes) and it has room in every
 * dimension. Space that preemption reserved on the node for a job other than the fitJob is not
 * room. The free-GPU buckets ignore reservations, so a search may visit a reserved node first.
 */
@inline export function nodeFits(n: i32, types: i32, labels: i32): bool {
  if ((labels & ~nodeLabels(n)) != 0) return false;
  if (types != 0) {
    const t = nodeGpuType(n);
    if (t < 0) return false;
    if (((1 << t) & types) == 0) return false;
  }
  for (let d = 0; d < DIMS; d++) {
    if (nodeFree(n, d) < passRequest(d)) return false;
  }
  if (reservedNodes > 0 && nodeReservedUntil(n) > time()) {
    for (let d = 0; d < DIMS; d++) {
      if (nodeFree(n, d) - reservedAgainst(n, fitJob, d) < passRequest(d)) return false;
    }
  }
  return true;
}

/**
 * Returns the best-fit node for `passRequest` anywhere in the cluster: the fewest free GPUs that
 * still fit, then the most recently touched node of that bucket; NONE when no node fits.
 */
export function bestFitAnywhere(types: i32, labels: i32): i32 {
  // A request larger than every node in some dimension would otherwise walk the top bucket.
  for (let d = 0; d < DIMS; d++) if (passRequest(d) > largestNode(d)) return NONE;
  const gd = gpuDim();
  const first = keyOf(gd == NONE ? 0 : passRequest(gd));
  for (let key = first; key <= maxKey; key++) {
    for (let slot = 0; slot < slots; slot++) {
      if (slots > 1 && types != 0 && slot == 0) continue;
      if (slots > 1 && slot > 0 && types != 0 && ((1 << (slot - 1)) & types) == 0) continue;
      let n = scratchI32a(headIndex(slot, key));
      while (n != NONE) {
        if (nodeFits(n, types, labels)) return n;
        n = nodeBucketNext(n);
      }
    }
  }
  return NONE;
}

/**
 * Returns the best-fit node for `passRequest` within one NVLink domain (`byRack` false) or one
 * rack (`byRack` true) with topology id `id`: the fewest free GPUs that fit, then the lowest
 * position in the topology order; NONE when none fits.
 */
export function bestFitIn(byRack: bool, id: i32, types: i32, labels: i32): i32 {
  const gd = gpuDim();
  const nodes = nodeCount();
  let i = lowerBound(byRack, id);
  const want = gd == NONE ? 0 : passRequest(gd);
  let best = NONE;
  let bestFree: f64 = Infinity;
  for (; i < nodes; i++) {
    const n = byRack ? nodeByRack(i) : nodeByDomain(i);
    if ((byRack ? nodeRack(n) : nodeDomain(n)) != id) break;
    // GPUs first: too few, or no fewer than the best so far, rules the node out.
    const free = gd == NONE ? 0 : nodeFree(n, gd);
    if (free < want || free >= bestFree) continue;
    if (nodeBucket(n) == NONE) continue;
    if (!nodeFits(n, types, labels)) continue;
    best = n;
    bestFree = free;
    // An exact fit cannot be beaten.
    if (free == want) break;
  }
  return best;
}

/** Returns the rack of NVLink domain `domain`, NONE when no node is in it. */
export function rackOfDomain(domain: i32): i32 {
  const i = lowerBound(false, domain);
  if (i >= nodeCount()) return NONE;
  const n = nodeByDomain(i);
  return nodeDomain(n) == domain ? nodeRack(n) : NONE;
}

/**
 * Returns the first position of `id` in the domain (or rack) order, or else of the next larger
 * id: from node.domainStart / node.rackStart when the id is below nodeCount, by binary search
 * otherwise.
 */
function lowerBound(byRack: bool, id: i32): i32 {
  const nodes = nodeCount();
  if (id >= 0 && id < nodes) {
    const start = byRack ? nodeRackStart(id) : nodeDomainStart(id);
    return start == NONE ? nodes : start;
  }
  let low = 0;
  let high = nodes;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const n = byRack ? nodeByRack(mid) : nodeByDomain(mid);
    const key = byRack ? nodeRack(n) : nodeDomain(n);
    if (key < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Compares nodes by (rack, domain, row) when `byRack`, else by (domain, row). */
@inline function topologyBefore(byRack: bool, a: i32, b: i32): bool {
  if (byRack) {
    const ra = nodeRack(a);
    const rb = nodeRack(b);
    if (ra != rb) return ra < rb;
  }
  const da = nodeDomain(a);
  const db = nodeDomain(b);
  if (da != db) return da < db;
  return a < b;
}

@inline function orderAt(byRack: bool, i: i32): i32 {
  return byRack ? nodeByRack(i) : nodeByDomain(i);
}

@inline function setOrderAt(byRack: bool, i: i32, n: i32): void {
  if (byRack) setNodeByRack(i, n);
  else setNodeByDomain(i, n);
}

function siftTopology(byRack: bool, i: i32, size: i32): void {
  const x = orderAt(byRack, i);
  while (true) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && topologyBefore(byRack, orderAt(byRack, c), orderAt(byRack, c + 1))) c++;
    if (!topologyBefore(byRack, x, orderAt(byRack, c))) break;
    setOrderAt(byRack, i, orderAt(byRack, c));
    i = c;
  }
  setOrderAt(byRack, i, x);
}

/** Heap-sorts one topology order in place (max-heap, so the result ascends). */
function sortTopology(byRack: bool): void {
  const nodes = nodeCount();
  for (let i = 0; i < nodes; i++) setOrderAt(byRack, i, i);
  for (let i = (nodes >> 1) - 1; i >= 0; i--) siftTopology(byRack, i, nodes);
  for (let end = nodes - 1; end > 0; end--) {
    const top = orderAt(byRack, 0);
    setOrderAt(byRack, 0, orderAt(byRack, end));
    setOrderAt(byRack, end, top);
    siftTopology(byRack, 0, end);
  }
}

/**
 * Sorts node.byDomain by (domain, row) and node.byRack by (rack, domain, row) with two stable
 * counting sorts over the ids, with the counts in scratch.i32b. Returns false and sorts nothing
 * when scratch has fewer than (largest id + 3) rows.
 *
 * 1. byDomain: count rows per domain, turn counts into first positions, place rows in row order.
 * 2. byRack: the same per rack, placing rows in byDomain order, so each rack keeps domain order.
 */
function countTopology(): bool {
  const nodes = nodeCount();
  let largest = -1;
  for (let n = 0; n < nodes; n++) largest = max(largest, max(nodeDomain(n), nodeRack(n)));
  const keys = largest + 2;
  if (keys + 1 > scratchCapacity()) return false;

  // 1. By domain (NONE sorts first: key = id + 1).
  for (let k = 0; k <= keys; k++) setScratchI32b(k, 0);
  for (let n = 0; n < nodes; n++) {
    const k = nodeDomain(n) + 2;
    setScratchI32b(k, scratchI32b(k) + 1);
  }
  for (let k = 1; k <= keys; k++) setScratchI32b(k, scratchI32b(k) + scratchI32b(k - 1));
  for (let n = 0; n < nodes; n++) {
    const k = nodeDomain(n) + 1;
    const at = scratchI32b(k);
    setScratchI32b(k, at + 1);
    setNodeByDomain(at, n);
  }

  // 2. By rack, stable over the domain order.
  for (let k = 0; k <= keys; k++) setScratchI32b(k, 0);
  for (let n = 0; n < nodes; n++) {
    const k = nodeRack(n) + 2;
    setScratchI32b(k, scratchI32b(k) + 1);
  }
  for (let k = 1; k <= keys; k++) setScratchI32b(k, scratchI32b(k) + scratchI32b(k - 1));
  for (let i = 0; i < nodes; i++) {
    const n = nodeByDomain(i);
    const k = nodeRack(n) + 1;
    const at = scratchI32b(k);
    setScratchI32b(k, at + 1);
    setNodeByRack(at, n);
  }
  return true;
}

/**
 * Sorts node.byDomain and node.byRack (counting sorts, or heap sorts when scratch is too small
 * for the counts); runs when the host has cleared `topologyReady`.
 */
export function buildTopologyOrders(): void {
  if (!countTopology()) {
    sortTopology(false);
    sortTopology(true);
  }
  recordStarts();
  setTopologyReady(1);
}

/** Fills node.domainStart and node.rackStart from the sorted orders (ids below nodeCount). */
function recordStarts(): void {
  const nodes = nodeCount();
  for (let n = 0; n < nodes; n++) {
    setNodeDomainStart(n, NONE);
    setNodeRackStart(n, NONE);
  }
  for (let i = nodes - 1; i >= 0; i--) {
    const domain = nodeDomain(nodeByDomain(i));
    if (domain >= 0 && domain < nodes) setNodeDomainStart(domain, i);
    const rack = nodeRack(nodeByRack(i));
    if (rack >= 0 && rack < nodes) setNodeRackStart(rack, i);
  }
}
