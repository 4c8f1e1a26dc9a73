/**
 * The allocation pass in plain TypeScript: the same algorithm as the WebAssembly core
 * (`assembly/ordering.ts`, `assembly/nodeindex.ts`, `assembly/allocate.ts`) over the same columns
 * of a `CoreState`, for property tests (both must decide exactly alike) and as the benchmark
 * baseline. The functions below mirror the core's one for one, so a change there is made here too.
 *
 * Column accessors have the names the generated `assembly/layout.ts` gives them and read the
 * state's typed-array views, bound by `schedulePassReference`.
 */
import { ALLOC_LIVE, JOB_ELASTIC, JOB_GANG, JOB_RUNNING, NODE_SCHEDULABLE, NONE, POLICY_DRF, POLICY_FIFO, QUEUE_LEAF, REASON_AM_SHARE, REASON_ELASTIC_AT_FAIR_SHARE, REASON_EXCEEDS_LARGEST_NODE, REASON_GANG_DOES_NOT_FIT, REASON_NO_GPU_TYPE, REASON_NO_LABELS, REASON_NO_ROOM, REASON_NO_SCHEDULABLE_NODES, REASON_NONE, REASON_QUEUE_MAX_RESOURCES, REASON_QUEUE_MAX_RUNNING_APPS, REASON_TABLE_FULL, REASON_USER_MAX_RUNNING_APPS, REASON_WAITING_FOR_LOCALITY, TASK_AM } from "../core/layout.js";
import type { CoreState } from "../core/state.js";

/** Resource dimensions of the bound state. */
let DIMS = 0;

let HEADER_DIMS: Int32Array = new Int32Array(0);
function dims(): number { return HEADER_DIMS[0]; }
function setDims(value: number): void { HEADER_DIMS[0] = value; }
let HEADER_QUEUE_COUNT: Int32Array = new Int32Array(0);
function queueCount(): number { return HEADER_QUEUE_COUNT[0]; }
function setQueueCount(value: number): void { HEADER_QUEUE_COUNT[0] = value; }
let HEADER_NODE_COUNT: Int32Array = new Int32Array(0);
function nodeCount(): number { return HEADER_NODE_COUNT[0]; }
function setNodeCount(value: number): void { HEADER_NODE_COUNT[0] = value; }
let HEADER_JOB_COUNT: Int32Array = new Int32Array(0);
function jobCount(): number { return HEADER_JOB_COUNT[0]; }
function setJobCount(value: number): void { HEADER_JOB_COUNT[0] = value; }
let HEADER_GROUP_COUNT: Int32Array = new Int32Array(0);
function groupCount(): number { return HEADER_GROUP_COUNT[0]; }
function setGroupCount(value: number): void { HEADER_GROUP_COUNT[0] = value; }
let HEADER_ALLOC_COUNT: Int32Array = new Int32Array(0);
function allocCount(): number { return HEADER_ALLOC_COUNT[0]; }
function setAllocCount(value: number): void { HEADER_ALLOC_COUNT[0] = value; }
let HEADER_GPU_TYPE_COUNT: Int32Array = new Int32Array(0);
function gpuTypeCount(): number { return HEADER_GPU_TYPE_COUNT[0]; }
function setGpuTypeCount(value: number): void { HEADER_GPU_TYPE_COUNT[0] = value; }
let HEADER_PLACEMENT_COUNT: Int32Array = new Int32Array(0);
function placementCount(): number { return HEADER_PLACEMENT_COUNT[0]; }
function setPlacementCount(value: number): void { HEADER_PLACEMENT_COUNT[0] = value; }
let HEADER_VICTIM_COUNT: Int32Array = new Int32Array(0);
function victimCount(): number { return HEADER_VICTIM_COUNT[0]; }
function setVictimCount(value: number): void { HEADER_VICTIM_COUNT[0] = value; }
let HEADER_PLACEMENT_CAPACITY: Int32Array = new Int32Array(0);
function placementCapacity(): number { return HEADER_PLACEMENT_CAPACITY[0]; }
function setPlacementCapacity(value: number): void { HEADER_PLACEMENT_CAPACITY[0] = value; }
let HEADER_VICTIM_CAPACITY: Int32Array = new Int32Array(0);
function victimCapacity(): number { return HEADER_VICTIM_CAPACITY[0]; }
function setVictimCapacity(value: number): void { HEADER_VICTIM_CAPACITY[0] = value; }
let HEADER_SCRATCH_CAPACITY: Int32Array = new Int32Array(0);
function scratchCapacity(): number { return HEADER_SCRATCH_CAPACITY[0]; }
function setScratchCapacity(value: number): void { HEADER_SCRATCH_CAPACITY[0] = value; }
let HEADER_TIME: Float64Array = new Float64Array(0);
function time(): number { return HEADER_TIME[0]; }
function setTime(value: number): void { HEADER_TIME[0] = value; }
let HEADER_CLUSTER_CAPACITY: Float64Array = new Float64Array(0);
function clusterCapacity(d: number): number { return HEADER_CLUSTER_CAPACITY[d]; }
function setClusterCapacity(d: number, value: number): void { HEADER_CLUSTER_CAPACITY[d] = value; }
let HEADER_GPU_DIM: Int32Array = new Int32Array(0);
function gpuDim(): number { return HEADER_GPU_DIM[0]; }
function setGpuDim(value: number): void { HEADER_GPU_DIM[0] = value; }
let HEADER_ALLOC_CAPACITY: Int32Array = new Int32Array(0);
function allocCapacity(): number { return HEADER_ALLOC_CAPACITY[0]; }
function setAllocCapacity(value: number): void { HEADER_ALLOC_CAPACITY[0] = value; }
let HEADER_LOCALITY_THRESHOLD: Float64Array = new Float64Array(0);
function localityThreshold(): number { return HEADER_LOCALITY_THRESHOLD[0]; }
function setLocalityThreshold(value: number): void { HEADER_LOCALITY_THRESHOLD[0] = value; }
let HEADER_TOPOLOGY_READY: Int32Array = new Int32Array(0);
function topologyReady(): number { return HEADER_TOPOLOGY_READY[0]; }
function setTopologyReady(value: number): void { HEADER_TOPOLOGY_READY[0] = value; }
let HEADER_LARGEST_NODE: Float64Array = new Float64Array(0);
function largestNode(d: number): number { return HEADER_LARGEST_NODE[d]; }
function setLargestNode(d: number, value: number): void { HEADER_LARGEST_NODE[d] = value; }
let HEADER_PASS_REQUEST: Float64Array = new Float64Array(0);
function passRequest(d: number): number { return HEADER_PASS_REQUEST[d]; }
function setPassRequest(d: number, value: number): void { HEADER_PASS_REQUEST[d] = value; }
let HEADER_RESERVATION_TIMEOUT: Float64Array = new Float64Array(0);
function reservationTimeout(): number { return HEADER_RESERVATION_TIMEOUT[0]; }
function setReservationTimeout(value: number): void { HEADER_RESERVATION_TIMEOUT[0] = value; }
let QUEUE_PARENT: Int32Array = new Int32Array(0);
function queueParent(i: number): number { return QUEUE_PARENT[i]; }
function setQueueParent(i: number, value: number): void { QUEUE_PARENT[i] = value; }
let QUEUE_FIRST_CHILD: Int32Array = new Int32Array(0);
function queueFirstChild(i: number): number { return QUEUE_FIRST_CHILD[i]; }
function setQueueFirstChild(i: number, value: number): void { QUEUE_FIRST_CHILD[i] = value; }
let QUEUE_NEXT_SIBLING: Int32Array = new Int32Array(0);
function queueNextSibling(i: number): number { return QUEUE_NEXT_SIBLING[i]; }
function setQueueNextSibling(i: number, value: number): void { QUEUE_NEXT_SIBLING[i] = value; }
let QUEUE_DEPTH: Int32Array = new Int32Array(0);
function queueDepth(i: number): number { return QUEUE_DEPTH[i]; }
function setQueueDepth(i: number, value: number): void { QUEUE_DEPTH[i] = value; }
let QUEUE_POLICY: Uint8Array = new Uint8Array(0);
function queuePolicy(i: number): number { return QUEUE_POLICY[i]; }
function setQueuePolicy(i: number, value: number): void { QUEUE_POLICY[i] = value; }
let QUEUE_FLAGS: Uint8Array = new Uint8Array(0);
function queueFlags(i: number): number { return QUEUE_FLAGS[i]; }
function setQueueFlags(i: number, value: number): void { QUEUE_FLAGS[i] = value; }
let QUEUE_WEIGHT: Float64Array = new Float64Array(0);
function queueWeight(i: number): number { return QUEUE_WEIGHT[i]; }
function setQueueWeight(i: number, value: number): void { QUEUE_WEIGHT[i] = value; }
let QUEUE_START_TIME: Float64Array = new Float64Array(0);
function queueStartTime(i: number): number { return QUEUE_START_TIME[i]; }
function setQueueStartTime(i: number, value: number): void { QUEUE_START_TIME[i] = value; }
let QUEUE_MAX_RUNNING_APPS: Int32Array = new Int32Array(0);
function queueMaxRunningApps(i: number): number { return QUEUE_MAX_RUNNING_APPS[i]; }
function setQueueMaxRunningApps(i: number, value: number): void { QUEUE_MAX_RUNNING_APPS[i] = value; }
let QUEUE_RUNNING_APPS: Int32Array = new Int32Array(0);
function queueRunningApps(i: number): number { return QUEUE_RUNNING_APPS[i]; }
function setQueueRunningApps(i: number, value: number): void { QUEUE_RUNNING_APPS[i] = value; }
let QUEUE_MAX_AMSHARE: Float64Array = new Float64Array(0);
function queueMaxAMShare(i: number): number { return QUEUE_MAX_AMSHARE[i]; }
function setQueueMaxAMShare(i: number, value: number): void { QUEUE_MAX_AMSHARE[i] = value; }
let QUEUE_MIN_SHARE_TIMEOUT: Float64Array = new Float64Array(0);
function queueMinShareTimeout(i: number): number { return QUEUE_MIN_SHARE_TIMEOUT[i]; }
function setQueueMinShareTimeout(i: number, value: number): void { QUEUE_MIN_SHARE_TIMEOUT[i] = value; }
let QUEUE_FAIR_SHARE_TIMEOUT: Float64Array = new Float64Array(0);
function queueFairShareTimeout(i: number): number { return QUEUE_FAIR_SHARE_TIMEOUT[i]; }
function setQueueFairShareTimeout(i: number, value: number): void { QUEUE_FAIR_SHARE_TIMEOUT[i] = value; }
let QUEUE_FAIR_SHARE_THRESHOLD: Float64Array = new Float64Array(0);
function queueFairShareThreshold(i: number): number { return QUEUE_FAIR_SHARE_THRESHOLD[i]; }
function setQueueFairShareThreshold(i: number, value: number): void { QUEUE_FAIR_SHARE_THRESHOLD[i] = value; }
let QUEUE_BELOW_MIN_SINCE: Float64Array = new Float64Array(0);
function queueBelowMinSince(i: number): number { return QUEUE_BELOW_MIN_SINCE[i]; }
function setQueueBelowMinSince(i: number, value: number): void { QUEUE_BELOW_MIN_SINCE[i] = value; }
let QUEUE_BELOW_FAIR_SINCE: Float64Array = new Float64Array(0);
function queueBelowFairSince(i: number): number { return QUEUE_BELOW_FAIR_SINCE[i]; }
function setQueueBelowFairSince(i: number, value: number): void { QUEUE_BELOW_FAIR_SINCE[i] = value; }
let QUEUE_MIN_RESOURCES: Float64Array = new Float64Array(0);
function queueMinResources(i: number, d: number): number { return QUEUE_MIN_RESOURCES[i * DIMS + d]; }
function setQueueMinResources(i: number, d: number, value: number): void { QUEUE_MIN_RESOURCES[i * DIMS + d] = value; }
let QUEUE_MAX_RESOURCES: Float64Array = new Float64Array(0);
function queueMaxResources(i: number, d: number): number { return QUEUE_MAX_RESOURCES[i * DIMS + d]; }
function setQueueMaxResources(i: number, d: number, value: number): void { QUEUE_MAX_RESOURCES[i * DIMS + d] = value; }
let QUEUE_USAGE: Float64Array = new Float64Array(0);
function queueUsage(i: number, d: number): number { return QUEUE_USAGE[i * DIMS + d]; }
function setQueueUsage(i: number, d: number, value: number): void { QUEUE_USAGE[i * DIMS + d] = value; }
let QUEUE_AM_USAGE: Float64Array = new Float64Array(0);
function queueAmUsage(i: number, d: number): number { return QUEUE_AM_USAGE[i * DIMS + d]; }
function setQueueAmUsage(i: number, d: number, value: number): void { QUEUE_AM_USAGE[i * DIMS + d] = value; }
let QUEUE_DEMAND: Float64Array = new Float64Array(0);
function queueDemand(i: number, d: number): number { return QUEUE_DEMAND[i * DIMS + d]; }
function setQueueDemand(i: number, d: number, value: number): void { QUEUE_DEMAND[i * DIMS + d] = value; }
let QUEUE_FAIR_SHARE: Float64Array = new Float64Array(0);
function queueFairShare(i: number, d: number): number { return QUEUE_FAIR_SHARE[i * DIMS + d]; }
function setQueueFairShare(i: number, d: number, value: number): void { QUEUE_FAIR_SHARE[i * DIMS + d] = value; }
let QUEUE_STEADY_FAIR_SHARE: Float64Array = new Float64Array(0);
function queueSteadyFairShare(i: number, d: number): number { return QUEUE_STEADY_FAIR_SHARE[i * DIMS + d]; }
function setQueueSteadyFairShare(i: number, d: number, value: number): void { QUEUE_STEADY_FAIR_SHARE[i * DIMS + d] = value; }
let QUEUE_NAME_RANK: Int32Array = new Int32Array(0);
function queueNameRank(i: number): number { return QUEUE_NAME_RANK[i]; }
function setQueueNameRank(i: number, value: number): void { QUEUE_NAME_RANK[i] = value; }
let QUEUE_HEAP: Int32Array = new Int32Array(0);
function queueHeap(i: number): number { return QUEUE_HEAP[i]; }
function setQueueHeap(i: number, value: number): void { QUEUE_HEAP[i] = value; }
let QUEUE_HEAP_START: Int32Array = new Int32Array(0);
function queueHeapStart(i: number): number { return QUEUE_HEAP_START[i]; }
function setQueueHeapStart(i: number, value: number): void { QUEUE_HEAP_START[i] = value; }
let QUEUE_HEAP_SIZE: Int32Array = new Int32Array(0);
function queueHeapSize(i: number): number { return QUEUE_HEAP_SIZE[i]; }
function setQueueHeapSize(i: number, value: number): void { QUEUE_HEAP_SIZE[i] = value; }
let QUEUE_JOB_HEAP_START: Int32Array = new Int32Array(0);
function queueJobHeapStart(i: number): number { return QUEUE_JOB_HEAP_START[i]; }
function setQueueJobHeapStart(i: number, value: number): void { QUEUE_JOB_HEAP_START[i] = value; }
let QUEUE_JOB_HEAP_SIZE: Int32Array = new Int32Array(0);
function queueJobHeapSize(i: number): number { return QUEUE_JOB_HEAP_SIZE[i]; }
function setQueueJobHeapSize(i: number, value: number): void { QUEUE_JOB_HEAP_SIZE[i] = value; }
let QUEUE_LEAST_GPUS: Float64Array = new Float64Array(0);
function queueLeastGpus(i: number): number { return QUEUE_LEAST_GPUS[i]; }
function setQueueLeastGpus(i: number, value: number): void { QUEUE_LEAST_GPUS[i] = value; }
let QUEUE_JOB_HEAP_READY: Uint8Array = new Uint8Array(0);
function queueJobHeapReady(i: number): number { return QUEUE_JOB_HEAP_READY[i]; }
function setQueueJobHeapReady(i: number, value: number): void { QUEUE_JOB_HEAP_READY[i] = value; }
let QUEUE_HEAP_KEY: Float64Array = new Float64Array(0);
function queueHeapKey(i: number): number { return QUEUE_HEAP_KEY[i]; }
function setQueueHeapKey(i: number, value: number): void { QUEUE_HEAP_KEY[i] = value; }
let QUEUE_BROKEN_GANGS: Int32Array = new Int32Array(0);
function queueBrokenGangs(i: number): number { return QUEUE_BROKEN_GANGS[i]; }
function setQueueBrokenGangs(i: number, value: number): void { QUEUE_BROKEN_GANGS[i] = value; }
let JOB_HEAP_KEY: Float64Array = new Float64Array(0);
function jobHeapKey(i: number): number { return JOB_HEAP_KEY[i]; }
function setJobHeapKey(i: number, value: number): void { JOB_HEAP_KEY[i] = value; }
let JOB_LEAST_GPUS: Float64Array = new Float64Array(0);
function jobLeastGpus(i: number): number { return JOB_LEAST_GPUS[i]; }
function setJobLeastGpus(i: number, value: number): void { JOB_LEAST_GPUS[i] = value; }
let JOB_USER_MAX_APPS: Int32Array = new Int32Array(0);
function jobUserMaxApps(i: number): number { return JOB_USER_MAX_APPS[i]; }
let JOB_USER_RUNNING_APPS: Int32Array = new Int32Array(0);
function jobUserRunningApps(i: number): number { return JOB_USER_RUNNING_APPS[i]; }
function setJobUserRunningApps(i: number, value: number): void { JOB_USER_RUNNING_APPS[i] = value; }
let QUEUE_STARVED_FOR: Uint8Array = new Uint8Array(0);
function queueStarvedFor(i: number): number { return QUEUE_STARVED_FOR[i]; }
function setQueueStarvedFor(i: number, value: number): void { QUEUE_STARVED_FOR[i] = value; }
let QUEUE_STARVATION: Float64Array = new Float64Array(0);
function queueStarvation(i: number, d: number): number { return QUEUE_STARVATION[i * DIMS + d]; }
function setQueueStarvation(i: number, d: number, value: number): void { QUEUE_STARVATION[i * DIMS + d] = value; }
let QUEUE_PREEMPT_NEED: Float64Array = new Float64Array(0);
function queuePreemptNeed(i: number, d: number): number { return QUEUE_PREEMPT_NEED[i * DIMS + d]; }
function setQueuePreemptNeed(i: number, d: number, value: number): void { QUEUE_PREEMPT_NEED[i * DIMS + d] = value; }
let QUEUE_PREEMPT_RELEASE: Float64Array = new Float64Array(0);
function queuePreemptRelease(i: number, d: number): number { return QUEUE_PREEMPT_RELEASE[i * DIMS + d]; }
function setQueuePreemptRelease(i: number, d: number, value: number): void { QUEUE_PREEMPT_RELEASE[i * DIMS + d] = value; }
let NODE_GPU_TYPE: Int32Array = new Int32Array(0);
function nodeGpuType(i: number): number { return NODE_GPU_TYPE[i]; }
function setNodeGpuType(i: number, value: number): void { NODE_GPU_TYPE[i] = value; }
let NODE_RACK: Int32Array = new Int32Array(0);
function nodeRack(i: number): number { return NODE_RACK[i]; }
function setNodeRack(i: number, value: number): void { NODE_RACK[i] = value; }
let NODE_DOMAIN: Int32Array = new Int32Array(0);
function nodeDomain(i: number): number { return NODE_DOMAIN[i]; }
function setNodeDomain(i: number, value: number): void { NODE_DOMAIN[i] = value; }
let NODE_LABELS: Int32Array = new Int32Array(0);
function nodeLabels(i: number): number { return NODE_LABELS[i]; }
function setNodeLabels(i: number, value: number): void { NODE_LABELS[i] = value; }
let NODE_FLAGS: Uint8Array = new Uint8Array(0);
function nodeFlags(i: number): number { return NODE_FLAGS[i]; }
function setNodeFlags(i: number, value: number): void { NODE_FLAGS[i] = value; }
let NODE_CAPACITY: Float64Array = new Float64Array(0);
function nodeCapacity(i: number, d: number): number { return NODE_CAPACITY[i * DIMS + d]; }
function setNodeCapacity(i: number, d: number, value: number): void { NODE_CAPACITY[i * DIMS + d] = value; }
let NODE_FREE: Float64Array = new Float64Array(0);
function nodeFree(i: number, d: number): number { return NODE_FREE[i * DIMS + d]; }
function setNodeFree(i: number, d: number, value: number): void { NODE_FREE[i * DIMS + d] = value; }
let NODE_BUCKET: Int32Array = new Int32Array(0);
function nodeBucket(i: number): number { return NODE_BUCKET[i]; }
function setNodeBucket(i: number, value: number): void { NODE_BUCKET[i] = value; }
let NODE_BUCKET_NEXT: Int32Array = new Int32Array(0);
function nodeBucketNext(i: number): number { return NODE_BUCKET_NEXT[i]; }
function setNodeBucketNext(i: number, value: number): void { NODE_BUCKET_NEXT[i] = value; }
let NODE_BUCKET_PREV: Int32Array = new Int32Array(0);
function nodeBucketPrev(i: number): number { return NODE_BUCKET_PREV[i]; }
function setNodeBucketPrev(i: number, value: number): void { NODE_BUCKET_PREV[i] = value; }
let NODE_BY_DOMAIN: Int32Array = new Int32Array(0);
function nodeByDomain(i: number): number { return NODE_BY_DOMAIN[i]; }
function setNodeByDomain(i: number, value: number): void { NODE_BY_DOMAIN[i] = value; }
let NODE_DOMAIN_START: Int32Array = new Int32Array(0);
function nodeDomainStart(i: number): number { return NODE_DOMAIN_START[i]; }
function setNodeDomainStart(i: number, value: number): void { NODE_DOMAIN_START[i] = value; }
let NODE_RACK_START: Int32Array = new Int32Array(0);
function nodeRackStart(i: number): number { return NODE_RACK_START[i]; }
function setNodeRackStart(i: number, value: number): void { NODE_RACK_START[i] = value; }
let NODE_BY_RACK: Int32Array = new Int32Array(0);
function nodeByRack(i: number): number { return NODE_BY_RACK[i]; }
function setNodeByRack(i: number, value: number): void { NODE_BY_RACK[i] = value; }
let NODE_RESERVED_FOR: Int32Array = new Int32Array(0);
function nodeReservedFor(i: number): number { return NODE_RESERVED_FOR[i]; }
function setNodeReservedFor(i: number, value: number): void { NODE_RESERVED_FOR[i] = value; }
let NODE_RESERVED_UNTIL: Float64Array = new Float64Array(0);
function nodeReservedUntil(i: number): number { return NODE_RESERVED_UNTIL[i]; }
function setNodeReservedUntil(i: number, value: number): void { NODE_RESERVED_UNTIL[i] = value; }
let NODE_RESERVED: Float64Array = new Float64Array(0);
function nodeReserved(i: number, d: number): number { return NODE_RESERVED[i * DIMS + d]; }
function setNodeReserved(i: number, d: number, value: number): void { NODE_RESERVED[i * DIMS + d] = value; }
let NODE_FIRST_ALLOC: Int32Array = new Int32Array(0);
function nodeFirstAlloc(i: number): number { return NODE_FIRST_ALLOC[i]; }
function setNodeFirstAlloc(i: number, value: number): void { NODE_FIRST_ALLOC[i] = value; }
let NODE_PLAN_FREE: Float64Array = new Float64Array(0);
function nodePlanFree(i: number, d: number): number { return NODE_PLAN_FREE[i * DIMS + d]; }
function setNodePlanFree(i: number, d: number, value: number): void { NODE_PLAN_FREE[i * DIMS + d] = value; }
let JOB_QUEUE: Int32Array = new Int32Array(0);
function jobQueue(i: number): number { return JOB_QUEUE[i]; }
function setJobQueue(i: number, value: number): void { JOB_QUEUE[i] = value; }
let JOB_USER: Int32Array = new Int32Array(0);
function jobUser(i: number): number { return JOB_USER[i]; }
function setJobUser(i: number, value: number): void { JOB_USER[i] = value; }
let JOB_PRIORITY: Int32Array = new Int32Array(0);
function jobPriority(i: number): number { return JOB_PRIORITY[i]; }
function setJobPriority(i: number, value: number): void { JOB_PRIORITY[i] = value; }
let JOB_FLAGS: Uint8Array = new Uint8Array(0);
function jobFlags(i: number): number { return JOB_FLAGS[i]; }
function setJobFlags(i: number, value: number): void { JOB_FLAGS[i] = value; }
let JOB_SUBMIT_TIME: Float64Array = new Float64Array(0);
function jobSubmitTime(i: number): number { return JOB_SUBMIT_TIME[i]; }
function setJobSubmitTime(i: number, value: number): void { JOB_SUBMIT_TIME[i] = value; }
let JOB_WEIGHT: Float64Array = new Float64Array(0);
function jobWeight(i: number): number { return JOB_WEIGHT[i]; }
function setJobWeight(i: number, value: number): void { JOB_WEIGHT[i] = value; }
let JOB_CHECKPOINT_INTERVAL: Float64Array = new Float64Array(0);
function jobCheckpointInterval(i: number): number { return JOB_CHECKPOINT_INTERVAL[i]; }
function setJobCheckpointInterval(i: number, value: number): void { JOB_CHECKPOINT_INTERVAL[i] = value; }
let JOB_FIRST_GROUP: Int32Array = new Int32Array(0);
function jobFirstGroup(i: number): number { return JOB_FIRST_GROUP[i]; }
function setJobFirstGroup(i: number, value: number): void { JOB_FIRST_GROUP[i] = value; }
let JOB_GROUP_COUNT: Int32Array = new Int32Array(0);
function jobGroupCount(i: number): number { return JOB_GROUP_COUNT[i]; }
function setJobGroupCount(i: number, value: number): void { JOB_GROUP_COUNT[i] = value; }
let JOB_PENDING_TASKS: Int32Array = new Int32Array(0);
function jobPendingTasks(i: number): number { return JOB_PENDING_TASKS[i]; }
function setJobPendingTasks(i: number, value: number): void { JOB_PENDING_TASKS[i] = value; }
let JOB_RUNNING_TASKS: Int32Array = new Int32Array(0);
function jobRunningTasks(i: number): number { return JOB_RUNNING_TASKS[i]; }
function setJobRunningTasks(i: number, value: number): void { JOB_RUNNING_TASKS[i] = value; }
let JOB_ELASTIC_MIN: Int32Array = new Int32Array(0);
function jobElasticMin(i: number): number { return JOB_ELASTIC_MIN[i]; }
function setJobElasticMin(i: number, value: number): void { JOB_ELASTIC_MIN[i] = value; }
let JOB_LOCALITY: Int32Array = new Int32Array(0);
function jobLocality(i: number): number { return JOB_LOCALITY[i]; }
function setJobLocality(i: number, value: number): void { JOB_LOCALITY[i] = value; }
let JOB_LOCALITY_LEVEL: Uint8Array = new Uint8Array(0);
function jobLocalityLevel(i: number): number { return JOB_LOCALITY_LEVEL[i]; }
function setJobLocalityLevel(i: number, value: number): void { JOB_LOCALITY_LEVEL[i] = value; }
let JOB_MISSED_OFFERS: Int32Array = new Int32Array(0);
function jobMissedOffers(i: number): number { return JOB_MISSED_OFFERS[i]; }
function setJobMissedOffers(i: number, value: number): void { JOB_MISSED_OFFERS[i] = value; }
let JOB_REASON: Int32Array = new Int32Array(0);
function jobReason(i: number): number { return JOB_REASON[i]; }
function setJobReason(i: number, value: number): void { JOB_REASON[i] = value; }
let JOB_REASON_DIM: Int32Array = new Int32Array(0);
function jobReasonDim(i: number): number { return JOB_REASON_DIM[i]; }
function setJobReasonDim(i: number, value: number): void { JOB_REASON_DIM[i] = value; }
let JOB_REASON_VALUE: Float64Array = new Float64Array(0);
function jobReasonValue(i: number): number { return JOB_REASON_VALUE[i]; }
function setJobReasonValue(i: number, value: number): void { JOB_REASON_VALUE[i] = value; }
let JOB_REASON_LIMIT: Float64Array = new Float64Array(0);
function jobReasonLimit(i: number): number { return JOB_REASON_LIMIT[i]; }
function setJobReasonLimit(i: number, value: number): void { JOB_REASON_LIMIT[i] = value; }
let JOB_USAGE: Float64Array = new Float64Array(0);
function jobUsage(i: number, d: number): number { return JOB_USAGE[i * DIMS + d]; }
function setJobUsage(i: number, d: number, value: number): void { JOB_USAGE[i * DIMS + d] = value; }
let JOB_NAME_RANK: Int32Array = new Int32Array(0);
function jobNameRank(i: number): number { return JOB_NAME_RANK[i]; }
function setJobNameRank(i: number, value: number): void { JOB_NAME_RANK[i] = value; }
let JOB_REASON_QUEUE: Int32Array = new Int32Array(0);
function jobReasonQueue(i: number): number { return JOB_REASON_QUEUE[i]; }
function setJobReasonQueue(i: number, value: number): void { JOB_REASON_QUEUE[i] = value; }
let JOB_HEAP: Int32Array = new Int32Array(0);
function jobHeap(i: number): number { return JOB_HEAP[i]; }
function setJobHeap(i: number, value: number): void { JOB_HEAP[i] = value; }
let JOB_LOST_WORK: Float64Array = new Float64Array(0);
function jobLostWork(i: number): number { return JOB_LOST_WORK[i]; }
function setJobLostWork(i: number, value: number): void { JOB_LOST_WORK[i] = value; }
let JOB_RESERVATIONS: Int32Array = new Int32Array(0);
function jobReservations(i: number): number { return JOB_RESERVATIONS[i]; }
function setJobReservations(i: number, value: number): void { JOB_RESERVATIONS[i] = value; }
let GROUP_JOB: Int32Array = new Int32Array(0);
function groupJob(i: number): number { return GROUP_JOB[i]; }
function setGroupJob(i: number, value: number): void { GROUP_JOB[i] = value; }
let GROUP_PENDING: Int32Array = new Int32Array(0);
function groupPending(i: number): number { return GROUP_PENDING[i]; }
function setGroupPending(i: number, value: number): void { GROUP_PENDING[i] = value; }
let GROUP_GPU_TYPES: Int32Array = new Int32Array(0);
function groupGpuTypes(i: number): number { return GROUP_GPU_TYPES[i]; }
function setGroupGpuTypes(i: number, value: number): void { GROUP_GPU_TYPES[i] = value; }
let GROUP_LABELS: Int32Array = new Int32Array(0);
function groupLabels(i: number): number { return GROUP_LABELS[i]; }
function setGroupLabels(i: number, value: number): void { GROUP_LABELS[i] = value; }
let GROUP_FLAGS: Uint8Array = new Uint8Array(0);
function groupFlags(i: number): number { return GROUP_FLAGS[i]; }
function setGroupFlags(i: number, value: number): void { GROUP_FLAGS[i] = value; }
let GROUP_REQUEST: Float64Array = new Float64Array(0);
function groupRequest(i: number, d: number): number { return GROUP_REQUEST[i * DIMS + d]; }
function setGroupRequest(i: number, d: number, value: number): void { GROUP_REQUEST[i * DIMS + d] = value; }
let ALLOC_JOB: Int32Array = new Int32Array(0);
function allocJob(i: number): number { return ALLOC_JOB[i]; }
function setAllocJob(i: number, value: number): void { ALLOC_JOB[i] = value; }
let ALLOC_NODE: Int32Array = new Int32Array(0);
function allocNode(i: number): number { return ALLOC_NODE[i]; }
function setAllocNode(i: number, value: number): void { ALLOC_NODE[i] = value; }
let ALLOC_FLAGS: Uint8Array = new Uint8Array(0);
function allocFlags(i: number): number { return ALLOC_FLAGS[i]; }
function setAllocFlags(i: number, value: number): void { ALLOC_FLAGS[i] = value; }
let ALLOC_START_TIME: Float64Array = new Float64Array(0);
function allocStartTime(i: number): number { return ALLOC_START_TIME[i]; }
function setAllocStartTime(i: number, value: number): void { ALLOC_START_TIME[i] = value; }
let ALLOC_LAST_CHECKPOINT: Float64Array = new Float64Array(0);
function allocLastCheckpoint(i: number): number { return ALLOC_LAST_CHECKPOINT[i]; }
function setAllocLastCheckpoint(i: number, value: number): void { ALLOC_LAST_CHECKPOINT[i] = value; }
let ALLOC_REQUEST: Float64Array = new Float64Array(0);
function allocRequest(i: number, d: number): number { return ALLOC_REQUEST[i * DIMS + d]; }
function setAllocRequest(i: number, d: number, value: number): void { ALLOC_REQUEST[i * DIMS + d] = value; }
let ALLOC_NEXT_ON_NODE: Int32Array = new Int32Array(0);
function allocNextOnNode(i: number): number { return ALLOC_NEXT_ON_NODE[i]; }
function setAllocNextOnNode(i: number, value: number): void { ALLOC_NEXT_ON_NODE[i] = value; }
let ALLOC_PREEMPT_STATE: Uint8Array = new Uint8Array(0);
function allocPreemptState(i: number): number { return ALLOC_PREEMPT_STATE[i]; }
function setAllocPreemptState(i: number, value: number): void { ALLOC_PREEMPT_STATE[i] = value; }
let ALLOC_LOST_WORK: Float64Array = new Float64Array(0);
function allocLostWork(i: number): number { return ALLOC_LOST_WORK[i]; }
function setAllocLostWork(i: number, value: number): void { ALLOC_LOST_WORK[i] = value; }
let PLACEMENT_JOB: Int32Array = new Int32Array(0);
function placementJob(i: number): number { return PLACEMENT_JOB[i]; }
function setPlacementJob(i: number, value: number): void { PLACEMENT_JOB[i] = value; }
let PLACEMENT_GROUP: Int32Array = new Int32Array(0);
function placementGroup(i: number): number { return PLACEMENT_GROUP[i]; }
function setPlacementGroup(i: number, value: number): void { PLACEMENT_GROUP[i] = value; }
let PLACEMENT_NODE: Int32Array = new Int32Array(0);
function placementNode(i: number): number { return PLACEMENT_NODE[i]; }
function setPlacementNode(i: number, value: number): void { PLACEMENT_NODE[i] = value; }
let PLACEMENT_ALLOC: Int32Array = new Int32Array(0);
function placementAlloc(i: number): number { return PLACEMENT_ALLOC[i]; }
function setPlacementAlloc(i: number, value: number): void { PLACEMENT_ALLOC[i] = value; }
let VICTIM_ALLOC: Int32Array = new Int32Array(0);
function victimAlloc(i: number): number { return VICTIM_ALLOC[i]; }
function setVictimAlloc(i: number, value: number): void { VICTIM_ALLOC[i] = value; }
let VICTIM_FOR_JOB: Int32Array = new Int32Array(0);
function victimForJob(i: number): number { return VICTIM_FOR_JOB[i]; }
function setVictimForJob(i: number, value: number): void { VICTIM_FOR_JOB[i] = value; }
let VICTIM_REASON: Int32Array = new Int32Array(0);
function victimReason(i: number): number { return VICTIM_REASON[i]; }
function setVictimReason(i: number, value: number): void { VICTIM_REASON[i] = value; }
let VICTIM_FOR_NODE: Int32Array = new Int32Array(0);
function victimForNode(i: number): number { return VICTIM_FOR_NODE[i]; }
function setVictimForNode(i: number, value: number): void { VICTIM_FOR_NODE[i] = value; }
let VICTIM_FOR_QUEUE: Int32Array = new Int32Array(0);
function victimForQueue(i: number): number { return VICTIM_FOR_QUEUE[i]; }
function setVictimForQueue(i: number, value: number): void { VICTIM_FOR_QUEUE[i] = value; }
let SCRATCH_I32A: Int32Array = new Int32Array(0);
function scratchI32a(i: number): number { return SCRATCH_I32A[i]; }
function setScratchI32a(i: number, value: number): void { SCRATCH_I32A[i] = value; }
let SCRATCH_I32B: Int32Array = new Int32Array(0);
function scratchI32b(i: number): number { return SCRATCH_I32B[i]; }
function setScratchI32b(i: number, value: number): void { SCRATCH_I32B[i] = value; }
let SCRATCH_I32C: Int32Array = new Int32Array(0);
function scratchI32c(i: number): number { return SCRATCH_I32C[i]; }
function setScratchI32c(i: number, value: number): void { SCRATCH_I32C[i] = value; }
let SCRATCH_F64A: Float64Array = new Float64Array(0);
function scratchF64a(i: number): number { return SCRATCH_F64A[i]; }
function setScratchF64a(i: number, value: number): void { SCRATCH_F64A[i] = value; }
let SCRATCH_F64B: Float64Array = new Float64Array(0);
function scratchF64b(i: number): number { return SCRATCH_F64B[i]; }
function setScratchF64b(i: number, value: number): void { SCRATCH_F64B[i] = value; }
// ---- ordering
// Orderings of the allocation pass: which sibling queue and which job of a leaf is the neediest.
//
// Each comparator returns a negative number when `a` comes first (is needier), a positive one
// when `b` does, and never 0 for two different rows (the row index is the last tie-break), so
// heaps built on them are deterministic.
//
// `fair` compares the FIRST resource dimension only, as YARN's FairSharePolicy compares memory:
// with `resources: [gpu, cpu, memory]` that is the GPU count. `drf` compares every dimension.


/** Largest and second-largest share of the last `dominantShares` call. */
let dominant: number = 0;
let secondDominant: number = 0;

/** Returns `usage / weight`, +Infinity for weight 0 (such a queue is served last). */
function perWeight(usage: number, weight: number): number {
  return weight > 0 ? usage / weight : Infinity;
}

/** Orders rows of equal need: the earlier start (submit) time, then the lower name rank, then row. */
function tieBreak(timeA: number, timeB: number, rankA: number, rankB: number, a: number, b: number): number {
  if (timeA < timeB) return -1;
  if (timeA > timeB) return 1;
  if (rankA != rankB) return rankA < rankB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two floats, ascending; returns 0 when equal. */
function ascending(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Sets `dominant` and `secondDominant` to the largest and second-largest of
 * `usage_d / clusterCapacity_d`, each divided by `weight` (dimensions of capacity 0 are left out).
 */
function dominantShares(isJob: boolean, row: number, weight: number): void {
  let first: number = 0;
  let second: number = 0;
  for (let d = 0; d < DIMS; d++) {
    const capacity = clusterCapacity(d);
    if (capacity <= 0) continue;
    const share = (isJob ? jobUsage(row, d) : queueUsage(row, d)) / capacity;
    if (share > first) {
      second = first;
      first = share;
    } else if (share > second) {
      second = share;
    }
  }
  dominant = perWeight(first, weight);
  secondDominant = perWeight(second, weight);
}

/**
 * Returns the largest `usage_d / Math.min(minResources_d, demand_d)` over dimensions with a positive
 * min share, or -1 when the queue has no min share in any dimension.
 */
function minShareRatio(q: number): number {
  let ratio: number = -1;
  for (let d = 0; d < DIMS; d++) {
    const min = Math.min(queueMinResources(q, d), queueDemand(q, d));
    if (min <= 0) continue;
    const r = queueUsage(q, d) / min;
    if (r > ratio) ratio = r;
  }
  return ratio;
}

/**
 * Returns the first ordering key of queue `q` among its siblings under its parent's `policy`;
 * smaller is needier. Queues below their min share get keys in [-2, -1), the rest keys >= 0.
 *
 * 1. fair (YARN FairSharePolicy, first dimension): below Math.min(minShare, demand), usage /
 *    Math.max(minShare, 1) - 2; else usage / weight.
 * 2. drf (YARN DominantResourceFairnessPolicy): below the min share in every dimension that has
 *    one, the largest usage / min share - 2; else dominant share / weight.
 * 3. fifo: 0 (start time decides).
 */
function queueKeyOf(policy: number, q: number): number {
  if (policy == POLICY_DRF) {
    const ratio = minShareRatio(q);
    if (ratio >= 0 && ratio < 1) return ratio - 2;
    dominantShares(false, q, queueWeight(q));
    return dominant;
  }
  if (policy == POLICY_FIFO) return 0;
  const usage = queueUsage(q, 0);
  const min = Math.min(queueMinResources(q, 0), queueDemand(q, 0));
  if (usage < min) return usage / Math.max(min, 1) - 2;
  return perWeight(usage, queueWeight(q));
}

/** Returns whether job `j` is a running gang with members back in pending (a node was lost). */
function isBrokenGang(j: number): boolean {
  return (jobFlags(j) & JOB_GANG) != 0 && jobRunningTasks(j) > 0 && jobPendingTasks(j) > 0;
}

/**
 * Returns the first ordering key of job `j` under its leaf's `policy`, smaller is needier. A
 * broken gang (isBrokenGang) gets -Infinity, so it is completed before fresh work of its leaf.
 * Other keys: fifo the negated priority, fair usage / weight in the first dimension, drf the
 * dominant share / weight.
 */
function jobKeyOf(policy: number, j: number): number {
  if (isBrokenGang(j)) return -Infinity;
  if (policy == POLICY_FIFO) return -jobPriority(j);
  if (policy == POLICY_DRF) {
    dominantShares(true, j, jobWeight(j));
    return dominant;
  }
  return perWeight(jobUsage(j, 0), jobWeight(j));
}

/** Compares the second-largest dominant shares of two rows with equal dominant shares (drf). */
function compareSecondShares(isJob: boolean, a: number, weightA: number, b: number, weightB: number): number {
  dominantShares(isJob, a, weightA);
  const secondA = secondDominant;
  dominantShares(isJob, b, weightB);
  return ascending(secondA, secondDominant);
}

/**
 * Compares sibling queues `a` and `b` under their parent's `policy` by their keys in
 * queue.heapKey (see queueKeyOf). Of equal keys, a queue with a broken gang comes first. Equal
 * drf keys of queues at or above their min share compare the second-largest share. Ties: start
 * time, then name rank, then row.
 */
function compareQueues(policy: number, a: number, b: number): number {
  const keyA = queueHeapKey(a);
  const keyB = queueHeapKey(b);
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  const brokenA = queueBrokenGangs(a) > 0;
  if (brokenA != queueBrokenGangs(b) > 0) return brokenA ? -1 : 1;
  if (policy == POLICY_DRF && keyA >= 0) {
    const c = compareSecondShares(false, a, queueWeight(a), b, queueWeight(b));
    if (c != 0) return c;
  }
  return tieBreak(queueStartTime(a), queueStartTime(b), queueNameRank(a), queueNameRank(b), a, b);
}

/**
 * Compares jobs `a` and `b` of one leaf under the leaf's `policy` by their keys in job.heapKey
 * (see jobKeyOf); equal drf keys (other than broken gangs') compare the second-largest share. Ties: submit time, name rank,
 * row.
 */
function compareJobs(policy: number, a: number, b: number): number {
  const keyA = jobHeapKey(a);
  const keyB = jobHeapKey(b);
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  if (policy == POLICY_DRF && keyA > -Infinity) {
    const c = compareSecondShares(true, a, jobWeight(a), b, jobWeight(b));
    if (c != 0) return c;
  }
  return tieBreak(jobSubmitTime(a), jobSubmitTime(b), jobNameRank(a), jobNameRank(b), a, b);
}

// ---- reservations (the helpers of assembly/preempt.ts that the pass calls)

/**
 * Returns how much of node `n`'s free space in dimension `d` job `j` may not use because it is
 * reserved for another job: node.reserved while the reservation holds, else 0.
 */
function reservedAgainst(n: number, j: number, d: number): number {
  if (nodeReservedUntil(n) <= time() || nodeReservedFor(n) == j) return 0;
  return nodeReserved(n, d);
}

/**
 * Takes one task of group `g` off node `n`'s reservation when its job places it there, and
 * drops the reservation once nothing is left or the job has no pending task.
 */
function releaseReservation(n: number, g: number): void {
  const j = groupJob(g);
  if (nodeReservedFor(n) != j) return;
  let left = false;
  for (let d = 0; d < DIMS; d++) {
    const reserved = Math.max(0, nodeReserved(n, d) - groupRequest(g, d));
    setNodeReserved(n, d, reserved);
    if (reserved > 0) left = true;
  }
  if (left && jobPendingTasks(j) > 0) return;
  setNodeReservedFor(n, NONE);
  setNodeReservedUntil(n, 0);
  for (let d = 0; d < DIMS; d++) setNodeReserved(n, d, 0);
}

// ---- nodeindex
// Node index of the allocation pass: schedulable nodes bucketed by free GPUs and GPU type, so a
// best-fit search visits only nodes that have enough GPUs, plus two topology orders (by NVLink
// domain, by rack) for gang and locality searches.
//
// Buckets are intrusive doubly-linked lists through node.bucketNext / node.bucketPrev; the heads
// live in scratch.i32a, one per (type slot, free-GPU key):
//
//   scratch.i32a: [ slot 0: key 0 .. maxKey | slot 1: key 0 .. maxKey | ... ]
//   slot 0 = nodes without a GPU type, slot t + 1 = nodes of GPU type t
//   key    = Math.min(floor(free gpu), maxKey); 0 for every node when there is no gpu dimension
//
// A node whose free space changes moves to the head of its new bucket, so within a bucket the
// nodes touched most recently (in racks and domains already partly used) are tried first. Fully
// free nodes start in topology order (rack, domain, row), so fresh nodes are taken rack by rack.


/** Upper bound on the free-GPU key; nodes with more free GPUs share the top bucket. */
const MAX_KEY: number = 64;

/** Largest key of the current index. */
let maxKey: number = 0;
/** Type slots of the current index: gpuTypeCount + 1, or 1 when scratch is too small. */
let slots: number = 1;
/** Schedulable nodes in the current index. */
let schedulableNodes: number = 0;
/** Bit set of GPU types present on schedulable nodes. */
let typesPresent: number = 0;
/** Union of the label bits of schedulable nodes. */
let labelsPresent: number = 0;
/** Schedulable nodes with an unexpired reservation from preemption. */
let reservedNodes: number = 0;
/** Job the searches fit for: space that preemption reserved for it counts as free; NONE for none. */
let fitJob: number = NONE;
/** Upper bound on the highest non-empty key: raised by rebucket, lowered by largestFreeKey. */
let topKey: number = 0;

/** Returns the bucket key of `free` GPUs. */
function keyOf(free: number): number {
  if (gpuDim() == NONE || free <= 0) return 0;
  const key = Math.floor(free);
  return key < maxKey ? key : maxKey;
}

function slotOf(n: number): number {
  if (slots == 1) return 0;
  return nodeGpuType(n) + 1;
}

function headIndex(slot: number, key: number): number {
  return slot * (maxKey + 1) + key;
}

function unlink(n: number): void {
  const b = nodeBucket(n);
  if (b == NONE) return;
  const prev = nodeBucketPrev(n);
  const next = nodeBucketNext(n);
  if (prev == NONE) setScratchI32a(b, next);
  else setNodeBucketNext(prev, next);
  if (next != NONE) setNodeBucketPrev(next, prev);
  setNodeBucket(n, NONE);
}

function pushFront(n: number, b: number): void {
  const head = scratchI32a(b);
  setNodeBucketPrev(n, NONE);
  setNodeBucketNext(n, head);
  if (head != NONE) setNodeBucketPrev(head, n);
  setScratchI32a(b, n);
  setNodeBucket(n, b);
}

/** Moves node `n` to the head of the bucket that matches its free GPUs now. */
function rebucket(n: number): void {
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
function largestFreeKey(): number {
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
function buildNodeIndex(): boolean {
  const nodes = nodeCount();
  const gd = gpuDim();

  // 1. Size the index: the largest GPU capacity bounds the key; scratch bounds the head table.
  let largestGpu: number = 0;
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
  maxKey = gd == NONE ? 0 : Math.min(MAX_KEY, Math.floor(largestGpu));
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
function setFitJob(j: number): void {
  fitJob = j;
}

/**
 * Returns whether node `n` can take `passRequest` now: it carries every label in `labels`, its
 * GPU type is in `types` (0 accepts any, including untyped nodes) and it has room in every
 * dimension. Space that preemption reserved on the node for a job other than the fitJob is not
 * room. The free-GPU buckets ignore reservations, so a search may visit a reserved node first.
 */
function nodeFits(n: number, types: number, labels: number): boolean {
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
function bestFitAnywhere(types: number, labels: number): number {
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
function bestFitIn(byRack: boolean, id: number, types: number, labels: number): number {
  const gd = gpuDim();
  const nodes = nodeCount();
  let i = lowerBound(byRack, id);
  const want = gd == NONE ? 0 : passRequest(gd);
  let best = NONE;
  let bestFree: number = Infinity;
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
function rackOfDomain(domain: number): number {
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
function lowerBound(byRack: boolean, id: number): number {
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
function topologyBefore(byRack: boolean, a: number, b: number): boolean {
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

function orderAt(byRack: boolean, i: number): number {
  return byRack ? nodeByRack(i) : nodeByDomain(i);
}

function setOrderAt(byRack: boolean, i: number, n: number): void {
  if (byRack) setNodeByRack(i, n);
  else setNodeByDomain(i, n);
}

function siftTopology(byRack: boolean, i: number, size: number): void {
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
function sortTopology(byRack: boolean): void {
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
function countTopology(): boolean {
  const nodes = nodeCount();
  let largest = -1;
  for (let n = 0; n < nodes; n++) largest = Math.max(largest, Math.max(nodeDomain(n), nodeRack(n)));
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
function buildTopologyOrders(): void {
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

// ---- allocate
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


/** Results of one attempt at a job. */
const PLACED_MORE: number = 1;
const DONE: number = 0;
const SKIPPED: number = -1;
const TABLE_FULL: number = -2;

/** Topology scopes of a node search. */
const SCOPE_ANY: number = 0;
const SCOPE_DOMAIN: number = 1;
const SCOPE_RACK: number = 2;

/** Offers a job skips per locality level in this pass; 0 when delay scheduling is off. */
let offerLimit: number = 0;

/** Slots of the failed-request cache in scratch.f64a: any type, then one per single GPU type. */
const FAIL_SLOTS: number = 32;
/**
 * Flag set when scratch.f64a contains the failed-request cache in this pass. The cache is off
 * while any node has a reservation, because the job it is reserved for has more free space there
 * than other jobs.
 */
let failCacheOn: boolean = false;

/**
 * Returns the failed-request cache slot of a search, or NONE when the search is not cached: only
 * label-free searches for any type or for exactly one type are.
 */
function failSlot(types: number, labels: number): number {
  if (!failCacheOn || labels != 0) return NONE;
  if (types == 0) return 0;
  if ((types & (types - 1)) != 0) return NONE;
  return 1 + (31 - Math.clz32(types & -types));
}

/**
 * Returns whether passRequest is at least, in every dimension, a request that already found no
 * node in this pass. Free space only shrinks during a pass (tentative placements are rolled back
 * exactly), so such a request cannot fit either.
 */
function knownToFail(slot: number): boolean {
  if (slot == NONE) return false;
  for (let d = 0; d < DIMS; d++) if (passRequest(d) < scratchF64a(slot * DIMS + d)) return false;
  return true;
}

/** Records passRequest as failed in `slot` when its GPU count is below the recorded one. */
function recordFailure(slot: number): void {
  if (slot == NONE) return;
  const gd = gpuDim() == NONE ? 0 : gpuDim();
  if (passRequest(gd) >= scratchF64a(slot * DIMS + gd)) return;
  for (let d = 0; d < DIMS; d++) setScratchF64a(slot * DIMS + d, passRequest(d));
}

/** Searches anywhere with the failed-request cache (valid only with no tentative placement open). */
function bestFitCached(types: number, labels: number): number {
  const slot = failSlot(types, labels);
  if (knownToFail(slot)) return NONE;
  const n = bestFitAnywhere(types, labels);
  if (n == NONE) recordFailure(slot);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Heaps

function isLeaf(q: number): boolean {
  return (queueFlags(q) & QUEUE_LEAF) != 0;
}

function hasWork(q: number): boolean {
  return isLeaf(q) ? queueJobHeapSize(q) > 0 : queueHeapSize(q) > 0;
}

/** Restores the heap of parent `p`'s children below position `i`. */
function queueSiftDown(p: number, i: number): void {
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
function jobSiftDown(q: number, i: number): void {
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

function removeTopQueue(p: number): void {
  const start = queueHeapStart(p);
  const size = queueHeapSize(p) - 1;
  setQueueHeapSize(p, size);
  if (size > 0) {
    setQueueHeap(start, queueHeap(start + size));
    queueSiftDown(p, 0);
  }
}

function removeTopJob(q: number): void {
  const start = queueJobHeapStart(q);
  const size = queueJobHeapSize(q) - 1;
  setQueueJobHeapSize(q, size);
  if (size > 0) {
    setJobHeap(start, jobHeap(start + size));
    jobSiftDown(q, 0);
  }
}

/** Returns false when no schedulable node has `gpus` free GPUs now (true when unsure). */
function someNodeHas(gpus: number): boolean {
  if (!(gpus > 0)) return true;
  const top = largestFreeKey();
  return top >= maxKey || Math.floor(gpus) <= top;
}

/**
 * Returns whether some job of leaf `q` might still be placed, judged by its least GPU request:
 * false when no node has that many free GPUs, or when it would take the leaf or an ancestor past
 * maxResources in GPUs. Free space and headroom only shrink during a pass, so a false result stays
 * false for the rest of the pass.
 */
function leafMayFit(q: number): boolean {
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
function countBrokenGang(q: number, delta: number): void {
  for (let p = q; p != NONE; p = queueParent(p)) setQueueBrokenGangs(p, queueBrokenGangs(p) + delta);
}

/** Computes the keys of leaf `q`'s jobs and heap-orders its job heap, the first time the pass reaches it. */
function readyJobHeap(q: number): void {
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
    let least: number = Infinity;
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

function setReason(j: number, code: number, queue: number, dim: number, value: number, limit: number): void {
  setJobReason(j, code);
  setJobReasonQueue(j, queue);
  setJobReasonDim(j, dim);
  setJobReasonValue(j, value);
  setJobReasonLimit(j, limit);
}

/** Returns the dimension a request is best described by: gpu when it asks for GPUs, else the first it asks for. */
function describingDim(g: number): number {
  const gd = gpuDim();
  if (gd != NONE && groupRequest(g, gd) > 0) return gd;
  for (let d = 0; d < DIMS; d++) if (groupRequest(g, d) > 0) return d;
  return 0;
}

/** Sets a "no room" reason for one task of group `g`. */
function setNoRoom(j: number, g: number): void {
  const d = describingDim(g);
  setReason(j, REASON_NO_ROOM, NONE, d, groupRequest(g, d), clusterCapacity(d) - queueUsage(0, d));
}

// ---------------------------------------------------------------------------------------------
// Units of work: the first `unit` pending tasks of a job, in group order

/** Writes the summed request of the job's first `unit` pending tasks into passRequest. */
function loadUnitTotal(j: number, unit: number): void {
  for (let d = 0; d < DIMS; d++) setPassRequest(d, 0);
  let left = unit;
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end && left > 0; g++) {
    const take = Math.min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    for (let d = 0; d < DIMS; d++) setPassRequest(d, passRequest(d) + take * groupRequest(g, d));
  }
}

function loadGroupRequest(g: number): void {
  for (let d = 0; d < DIMS; d++) setPassRequest(d, groupRequest(g, d));
}

/**
 * Sets a reason and returns false when a group of the unit can never be placed on the current
 * nodes: no schedulable node, no node of an acceptable GPU type, no node with the labels, or a
 * task larger than the largest node.
 */
function unitIsFeasible(j: number, unit: number): boolean {
  if (schedulableNodes == 0) {
    setReason(j, REASON_NO_SCHEDULABLE_NODES, NONE, 0, 0, 0);
    return false;
  }
  let left = unit;
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end && left > 0; g++) {
    const take = Math.min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    const types = groupGpuTypes(g);
    if (types != 0 && (types & typesPresent) == 0) {
      setReason(j, REASON_NO_GPU_TYPE, NONE, gpuDim(), types, 0);
      return false;
    }
    const labels = groupLabels(g);
    if ((labels & ~labelsPresent) != 0) {
      setReason(j, REASON_NO_LABELS, NONE, 0, labels, 0);
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
function unitWithinLimits(j: number, unit: number, running: boolean): boolean {
  const leaf = jobQueue(j);

  // 1. maxRunningApps of the user (checked first, as YARN does), then of the queues, for a job
  //    that would start running.
  if (!running) {
    const user = jobUser(j);
    if (user >= 0 && user < jobCount()) {
      const limit = jobUserMaxApps(user);
      if (limit >= 0 && jobUserRunningApps(user) >= limit) {
        setReason(j, REASON_USER_MAX_RUNNING_APPS, NONE, 0, jobUserRunningApps(user), limit);
        return false;
      }
    }
    for (let q = leaf; q != NONE; q = queueParent(q)) {
      const max = queueMaxRunningApps(q);
      if (max >= 0 && queueRunningApps(q) >= max) {
        setReason(j, REASON_QUEUE_MAX_RUNNING_APPS, q, 0, queueRunningApps(q), max);
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
    const take = Math.min(groupPending(g), left);
    if (take <= 0) continue;
    left -= take;
    if ((groupFlags(g) & TASK_AM) == 0) continue;
    for (let d = 0; d < DIMS; d++) {
      const request = take * groupRequest(g, d);
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
function placeTentative(j: number, g: number, n: number): void {
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
function rollback(start: number): void {
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
function commit(j: number, start: number): void {
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
function searchScope(scope: number, id: number, types: number, labels: number): number {
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
function placeUnit(j: number, unit: number, scope: number, id: number): number {
  const start = placementCount();
  const first = jobFirstGroup(j);
  const end = first + jobGroupCount(j);

  // 1. One node for the whole gang.
  if (unit > 1) {
    let types = 0;
    let labels = 0;
    let left = unit;
    for (let g = first; g < end && left > 0; g++) {
      const take = Math.min(groupPending(g), left);
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
        const take = Math.min(groupPending(g), left);
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
    const take = Math.min(groupPending(g), left);
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
function firstPendingGroup(j: number): number {
  const end = jobFirstGroup(j) + jobGroupCount(j);
  for (let g = jobFirstGroup(j); g < end; g++) if (groupPending(g) > 0) return g;
  return jobFirstGroup(j);
}

/** Sets the reason for a unit that found no room anywhere (`placed` of `unit` members fitted). */
function setNoFit(j: number, unit: number, placed: number): void {
  if (unit > 1) {
    const g = firstPendingGroup(j);
    setReason(j, REASON_GANG_DOES_NOT_FIT, NONE, describingDim(g), placed, unit);
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
function unitOf(j: number): number {
  const pending = jobPendingTasks(j);
  const flags = jobFlags(j);
  if ((flags & JOB_GANG) != 0) return pending;
  if ((flags & JOB_ELASTIC) != 0 && jobRunningTasks(j) == 0) return Math.max(1, Math.min(jobElasticMin(j), pending));
  return 1;
}

/**
 * Sets a reason and returns false when the unit can never be placed on the current nodes, would
 * break a queue limit, or would grow a running elastic job past its queue's fair share. Leaves the
 * unit's total in passRequest.
 */
function unitAllowed(j: number, unit: number): boolean {
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

function tryJob(j: number): number {
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
      const relaxed = Math.floor(missed / offerLimit);
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
          setReason(j, REASON_WAITING_FOR_LOCALITY, NONE, 0, (missed + 1), (offerLimit * (3 - level)));
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
function schedulePass(): number {
  setPlacementCount(0);
  const jobs = jobCount();

  // 1. Indexes: nodes by free GPUs and topology, queues and jobs in heaps.
  if (!buildNodeIndex()) return -1;
  const threshold = localityThreshold();
  offerLimit = threshold > 0 ? Math.max(1, Math.ceil(threshold * schedulableNodes)) : 0;
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
function explainPending(): void {
  const jobs = jobCount();
  for (let j = 0; j < jobs; j++) {
    if (jobPendingTasks(j) <= 0 || jobReason(j) != REASON_NONE) continue;
    if (!isLeaf(jobQueue(j))) continue;
    const unit = unitOf(j);
    if (!unitAllowed(j, unit)) continue;
    setNoFit(j, unit, 0);
  }
}


/** Points the column accessors at the typed-array views of `state`. */
function bindState(state: CoreState): void {
  DIMS = state.dims;
  HEADER_DIMS = state.i32("header.dims");
  HEADER_QUEUE_COUNT = state.i32("header.queueCount");
  HEADER_NODE_COUNT = state.i32("header.nodeCount");
  HEADER_JOB_COUNT = state.i32("header.jobCount");
  HEADER_GROUP_COUNT = state.i32("header.groupCount");
  HEADER_ALLOC_COUNT = state.i32("header.allocCount");
  HEADER_GPU_TYPE_COUNT = state.i32("header.gpuTypeCount");
  HEADER_PLACEMENT_COUNT = state.i32("header.placementCount");
  HEADER_VICTIM_COUNT = state.i32("header.victimCount");
  HEADER_PLACEMENT_CAPACITY = state.i32("header.placementCapacity");
  HEADER_VICTIM_CAPACITY = state.i32("header.victimCapacity");
  HEADER_SCRATCH_CAPACITY = state.i32("header.scratchCapacity");
  HEADER_TIME = state.f64("header.time");
  HEADER_CLUSTER_CAPACITY = state.f64("header.clusterCapacity");
  HEADER_GPU_DIM = state.i32("header.gpuDim");
  HEADER_ALLOC_CAPACITY = state.i32("header.allocCapacity");
  HEADER_LOCALITY_THRESHOLD = state.f64("header.localityThreshold");
  HEADER_TOPOLOGY_READY = state.i32("header.topologyReady");
  HEADER_LARGEST_NODE = state.f64("header.largestNode");
  HEADER_PASS_REQUEST = state.f64("header.passRequest");
  HEADER_RESERVATION_TIMEOUT = state.f64("header.reservationTimeout");
  QUEUE_PARENT = state.i32("queue.parent");
  QUEUE_FIRST_CHILD = state.i32("queue.firstChild");
  QUEUE_NEXT_SIBLING = state.i32("queue.nextSibling");
  QUEUE_DEPTH = state.i32("queue.depth");
  QUEUE_POLICY = state.u8("queue.policy");
  QUEUE_FLAGS = state.u8("queue.flags");
  QUEUE_WEIGHT = state.f64("queue.weight");
  QUEUE_START_TIME = state.f64("queue.startTime");
  QUEUE_MAX_RUNNING_APPS = state.i32("queue.maxRunningApps");
  QUEUE_RUNNING_APPS = state.i32("queue.runningApps");
  QUEUE_MAX_AMSHARE = state.f64("queue.maxAMShare");
  QUEUE_MIN_SHARE_TIMEOUT = state.f64("queue.minShareTimeout");
  QUEUE_FAIR_SHARE_TIMEOUT = state.f64("queue.fairShareTimeout");
  QUEUE_FAIR_SHARE_THRESHOLD = state.f64("queue.fairShareThreshold");
  QUEUE_BELOW_MIN_SINCE = state.f64("queue.belowMinSince");
  QUEUE_BELOW_FAIR_SINCE = state.f64("queue.belowFairSince");
  QUEUE_MIN_RESOURCES = state.f64("queue.minResources");
  QUEUE_MAX_RESOURCES = state.f64("queue.maxResources");
  QUEUE_USAGE = state.f64("queue.usage");
  QUEUE_AM_USAGE = state.f64("queue.amUsage");
  QUEUE_DEMAND = state.f64("queue.demand");
  QUEUE_FAIR_SHARE = state.f64("queue.fairShare");
  QUEUE_STEADY_FAIR_SHARE = state.f64("queue.steadyFairShare");
  QUEUE_NAME_RANK = state.i32("queue.nameRank");
  QUEUE_HEAP = state.i32("queue.heap");
  QUEUE_HEAP_START = state.i32("queue.heapStart");
  QUEUE_HEAP_SIZE = state.i32("queue.heapSize");
  QUEUE_JOB_HEAP_START = state.i32("queue.jobHeapStart");
  QUEUE_JOB_HEAP_SIZE = state.i32("queue.jobHeapSize");
  QUEUE_LEAST_GPUS = state.f64("queue.leastGpus");
  QUEUE_JOB_HEAP_READY = state.u8("queue.jobHeapReady");
  QUEUE_HEAP_KEY = state.f64("queue.heapKey");
  QUEUE_BROKEN_GANGS = state.i32("queue.brokenGangs");
  JOB_HEAP_KEY = state.f64("job.heapKey");
  JOB_LEAST_GPUS = state.f64("job.leastGpus");
  JOB_USER_MAX_APPS = state.i32("job.userMaxApps");
  JOB_USER_RUNNING_APPS = state.i32("job.userRunningApps");
  QUEUE_STARVED_FOR = state.u8("queue.starvedFor");
  QUEUE_STARVATION = state.f64("queue.starvation");
  QUEUE_PREEMPT_NEED = state.f64("queue.preemptNeed");
  QUEUE_PREEMPT_RELEASE = state.f64("queue.preemptRelease");
  NODE_GPU_TYPE = state.i32("node.gpuType");
  NODE_RACK = state.i32("node.rack");
  NODE_DOMAIN = state.i32("node.domain");
  NODE_LABELS = state.i32("node.labels");
  NODE_FLAGS = state.u8("node.flags");
  NODE_CAPACITY = state.f64("node.capacity");
  NODE_FREE = state.f64("node.free");
  NODE_BUCKET = state.i32("node.bucket");
  NODE_BUCKET_NEXT = state.i32("node.bucketNext");
  NODE_BUCKET_PREV = state.i32("node.bucketPrev");
  NODE_BY_DOMAIN = state.i32("node.byDomain");
  NODE_BY_RACK = state.i32("node.byRack");
  NODE_DOMAIN_START = state.i32("node.domainStart");
  NODE_RACK_START = state.i32("node.rackStart");
  NODE_RESERVED_FOR = state.i32("node.reservedFor");
  NODE_RESERVED_UNTIL = state.f64("node.reservedUntil");
  NODE_RESERVED = state.f64("node.reserved");
  NODE_FIRST_ALLOC = state.i32("node.firstAlloc");
  NODE_PLAN_FREE = state.f64("node.planFree");
  JOB_QUEUE = state.i32("job.queue");
  JOB_USER = state.i32("job.user");
  JOB_PRIORITY = state.i32("job.priority");
  JOB_FLAGS = state.u8("job.flags");
  JOB_SUBMIT_TIME = state.f64("job.submitTime");
  JOB_WEIGHT = state.f64("job.weight");
  JOB_CHECKPOINT_INTERVAL = state.f64("job.checkpointInterval");
  JOB_FIRST_GROUP = state.i32("job.firstGroup");
  JOB_GROUP_COUNT = state.i32("job.groupCount");
  JOB_PENDING_TASKS = state.i32("job.pendingTasks");
  JOB_RUNNING_TASKS = state.i32("job.runningTasks");
  JOB_ELASTIC_MIN = state.i32("job.elasticMin");
  JOB_LOCALITY = state.i32("job.locality");
  JOB_LOCALITY_LEVEL = state.u8("job.localityLevel");
  JOB_MISSED_OFFERS = state.i32("job.missedOffers");
  JOB_REASON = state.i32("job.reason");
  JOB_REASON_DIM = state.i32("job.reasonDim");
  JOB_REASON_VALUE = state.f64("job.reasonValue");
  JOB_REASON_LIMIT = state.f64("job.reasonLimit");
  JOB_USAGE = state.f64("job.usage");
  JOB_NAME_RANK = state.i32("job.nameRank");
  JOB_REASON_QUEUE = state.i32("job.reasonQueue");
  JOB_HEAP = state.i32("job.heap");
  JOB_LOST_WORK = state.f64("job.lostWork");
  JOB_RESERVATIONS = state.i32("job.reservations");
  GROUP_JOB = state.i32("group.job");
  GROUP_PENDING = state.i32("group.pending");
  GROUP_GPU_TYPES = state.i32("group.gpuTypes");
  GROUP_LABELS = state.i32("group.labels");
  GROUP_FLAGS = state.u8("group.flags");
  GROUP_REQUEST = state.f64("group.request");
  ALLOC_JOB = state.i32("alloc.job");
  ALLOC_NODE = state.i32("alloc.node");
  ALLOC_FLAGS = state.u8("alloc.flags");
  ALLOC_START_TIME = state.f64("alloc.startTime");
  ALLOC_LAST_CHECKPOINT = state.f64("alloc.lastCheckpoint");
  ALLOC_REQUEST = state.f64("alloc.request");
  ALLOC_NEXT_ON_NODE = state.i32("alloc.nextOnNode");
  ALLOC_PREEMPT_STATE = state.u8("alloc.preemptState");
  ALLOC_LOST_WORK = state.f64("alloc.lostWork");
  PLACEMENT_JOB = state.i32("placement.job");
  PLACEMENT_GROUP = state.i32("placement.group");
  PLACEMENT_NODE = state.i32("placement.node");
  PLACEMENT_ALLOC = state.i32("placement.alloc");
  VICTIM_ALLOC = state.i32("victim.alloc");
  VICTIM_FOR_JOB = state.i32("victim.forJob");
  VICTIM_REASON = state.i32("victim.reason");
  VICTIM_FOR_NODE = state.i32("victim.forNode");
  VICTIM_FOR_QUEUE = state.i32("victim.forQueue");
  SCRATCH_I32A = state.i32("scratch.i32a");
  SCRATCH_I32B = state.i32("scratch.i32b");
  SCRATCH_I32C = state.i32("scratch.i32c");
  SCRATCH_F64A = state.f64("scratch.f64a");
  SCRATCH_F64B = state.f64("scratch.f64b");
}

/**
 * Runs one allocation pass over `state` in TypeScript and returns the placements written, like
 * the core's `schedulePass` (the state must be prepared the same way: usage derived, fair shares
 * computed, the pass's host columns written).
 */
export function schedulePassReference(state: CoreState): number {
  bindState(state);
  return schedulePass();
}

/** Job ordering of the pass over `state`: the key and comparator of a leaf's jobs (jobKeyOf, compareJobs). */
export interface JobOrdering {
  keyOf(policy: number, j: number): number;
  compare(policy: number, a: number, b: number): number;
}

/**
 * Binds the column accessors to `state` and returns the pass's job ordering, for preemption
 * planning; `compare` reads the keys in job.heapKey, so write `keyOf`'s results there first.
 */
export function jobOrderingReference(state: CoreState): JobOrdering {
  bindState(state);
  return { keyOf: jobKeyOf, compare: compareJobs };
}

/** Gives pending jobs the pass left without a reason their reason, like the core's `explainPending`. */
export function explainPendingReference(state: CoreState): void {
  bindState(state);
  explainPending();
}
