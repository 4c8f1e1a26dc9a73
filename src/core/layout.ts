/**
 * The core's state layout: the single source of truth for both the AssemblyScript core and the
 * TypeScript views. `scripts/generate-layout.ts` turns `COLUMNS` into `assembly/layout.ts`
 * (typed load/store accessors), and `planLayout` below places the same columns in memory for
 * the host, so the two sides agree by construction.
 *
 * The state is struct-of-arrays: one typed column per field, rows addressed by index, no
 * object references. A column of width `dims` stores a resource vector per row, row-major
 * (row i, dimension d at element `i * dims + d`).
 *
 * One state region in linear memory (every column starts on an 8-byte boundary):
 *
 *   region base
 *   ┌──────────────────────────────────────────────┐
 *   │ directory: u32 byte offset of each column,   │  4 x COLUMNS.length bytes
 *   │            in COLUMNS order, from memory 0   │
 *   ├──────────────────────────────────────────────┤
 *   │ header   : counts, clock, cluster capacity   │  one row
 *   ├──────────────────────────────────────────────┤
 *   │ queue    : tree links, weight, min/max, ...  │  queueCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ node     : capacity, free, GPU type, topology│  nodeCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ job      : queue, user, flags, usage, ...    │  jobCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ group    : pending task shape and count      │  groupCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ alloc    : one running task                  │  allocCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ placement: output of a pass                  │  placementCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ victim   : output of preemption planning     │  victimCapacity rows
 *   ├──────────────────────────────────────────────┤
 *   │ scratch  : per-pass work space (sorting,     │  scratchCapacity rows
 *   │            heaps, node indexes)              │
 *   └──────────────────────────────────────────────┘
 *
 * Only the host writes inputs and only the core writes outputs; the core never allocates.
 */

export type ElementType = "u8" | "i32" | "f64";

export type TableName =
  | "header"
  | "queue"
  | "node"
  | "job"
  | "group"
  | "alloc"
  | "placement"
  | "victim"
  | "scratch";

export interface ColumnDef {
  /** Field name, camelCase; the AssemblyScript accessor is `<table prefix><Name>`. */
  name: string;
  table: TableName;
  type: ElementType;
  /** `1` for a scalar per row, `"dims"` for a resource vector per row. */
  width: 1 | "dims";
  /** Meaning of the field, its unit, and which side (host or core) writes it. */
  doc: string;
}

/** Index sentinel for "no row" in i32 link columns. */
export const NONE = -1;

/** `scheduling policy` codes of `queue.policy`. */
export const POLICY_FAIR = 0;
export const POLICY_FIFO = 1;
export const POLICY_DRF = 2;

/** Bits of `queue.flags`. */
export const QUEUE_LEAF = 1;
export const QUEUE_ACTIVE = 2;
export const QUEUE_PREEMPTABLE = 4;

/** Bits of `node.flags`. */
export const NODE_SCHEDULABLE = 1;

/** Bits of `job.flags`. */
export const JOB_GANG = 1;
export const JOB_PREEMPTIBLE = 2;
export const JOB_ELASTIC = 4;
export const JOB_RUNNING = 8;

/** Bits of `group.flags` and `alloc.flags`. */
export const TASK_AM = 1;
export const ALLOC_LIVE = 2;

/** Bits of `queue.starvedFor` and `victim.reason`: which starvation timeout has passed. */
export const STARVED_MIN_SHARE = 1;
export const STARVED_FAIR_SHARE = 2;

/**
 * `job.reason` codes: why a job still has pending tasks after a pass. The core writes the code
 * with `job.reasonQueue`, `job.reasonDim`, `job.reasonValue` and `job.reasonLimit`; the host
 * renders the message (src/decision.ts).
 */
export const REASON_NONE = 0;
/** The queue `reasonQueue` would exceed maxResources in `reasonDim` (usage value, limit). */
export const REASON_QUEUE_MAX_RESOURCES = 1;
/** The queue `reasonQueue` runs `reasonValue` jobs, its maxRunningApps. */
export const REASON_QUEUE_MAX_RUNNING_APPS = 2;
/** The AM task would exceed maxAMShare x fair share of `reasonQueue` in `reasonDim`. */
export const REASON_AM_SHARE = 3;
/** One task needs `reasonValue` of `reasonDim`, more than the largest node (`reasonLimit`). */
export const REASON_EXCEEDS_LARGEST_NODE = 4;
/** No schedulable node has an acceptable GPU type (`reasonValue` is the type bit set). */
export const REASON_NO_GPU_TYPE = 5;
/** No schedulable node carries the required labels (`reasonValue` is the label bit set). */
export const REASON_NO_LABELS = 6;
/** A gang of `reasonLimit` tasks does not fit; only `reasonValue` of them found room. */
export const REASON_GANG_DOES_NOT_FIT = 7;
/** Delay scheduling: `reasonValue` of `reasonLimit` offers skipped waiting for locality. */
export const REASON_WAITING_FOR_LOCALITY = 8;
/** The cluster has no schedulable node. */
export const REASON_NO_SCHEDULABLE_NODES = 9;
/** No node has room now for `reasonValue` of `reasonDim`; `reasonLimit` is free cluster-wide. */
export const REASON_NO_ROOM = 10;
/** The pass ran out of placement or alloc rows before reaching the job. */
export const REASON_TABLE_FULL = 11;
/** An elastic job's growth stops at the queue's fair share (`reasonValue` usage, `reasonLimit` share). */
export const REASON_ELASTIC_AT_FAIR_SHARE = 12;
/** The job's user runs `reasonValue` jobs, its maxRunningApps (`reasonLimit`). */
export const REASON_USER_MAX_RUNNING_APPS = 13;

const c = (
  table: TableName,
  name: string,
  type: ElementType,
  width: 1 | "dims",
  doc: string,
): ColumnDef => ({ table, name, type, width, doc });

export const COLUMNS: readonly ColumnDef[] = [
  // header: one row of counts and scalars
  c("header", "dims", "i32", 1, "number of resource dimensions D (host)"),
  c("header", "queueCount", "i32", 1, "queues in use; row 0 is root (host)"),
  c("header", "nodeCount", "i32", 1, "nodes in use (host)"),
  c("header", "jobCount", "i32", 1, "jobs in use (host)"),
  c("header", "groupCount", "i32", 1, "task groups in use (host)"),
  c("header", "allocCount", "i32", 1, "running-task rows in use, live or not (host)"),
  c("header", "gpuTypeCount", "i32", 1, "distinct GPU types, at most 31 (host)"),
  c("header", "placementCount", "i32", 1, "placements written by the last pass (core)"),
  c("header", "victimCount", "i32", 1, "victims written by the last preemption plan (core)"),
  c("header", "placementCapacity", "i32", 1, "rows available in the placement table (host)"),
  c("header", "victimCapacity", "i32", 1, "rows available in the victim table (host)"),
  c("header", "scratchCapacity", "i32", 1, "rows available in the scratch table (host)"),
  c("header", "time", "f64", 1, "scheduler clock, seconds (host)"),
  c("header", "clusterCapacity", "f64", "dims", "sum of schedulable node capacity (host)"),
  c("header", "gpuDim", "i32", 1, "index of the gpu dimension, NONE when there is none (host)"),
  c("header", "allocCapacity", "i32", 1, "rows available in the alloc table; a pass adds a row per placement (host)"),
  c("header", "localityThreshold", "f64", 1, "offers a job with locality skips per level, as a fraction of schedulable nodes; <= 0 disables delay scheduling (host)"),
  c("header", "topologyReady", "i32", 1, "1 when node.byDomain and node.byRack are current; the host sets 0 when nodes change (core)"),
  c("header", "largestNode", "f64", "dims", "largest schedulable node capacity per dimension, set by a pass (core)"),
  c("header", "passRequest", "f64", "dims", "request vector the pass is fitting, work space (core)"),
  c("header", "reservationTimeout", "f64", 1, "seconds that space freed by preemption stays reserved for its starved job; 0 reserves nothing past the pass (host)"),

  // queue: the tree, configuration and computed shares
  c("queue", "parent", "i32", 1, "parent queue row, NONE for root (host)"),
  c("queue", "firstChild", "i32", 1, "first child row or NONE (host)"),
  c("queue", "nextSibling", "i32", 1, "next sibling row or NONE (host)"),
  c("queue", "depth", "i32", 1, "0 for root (host)"),
  c("queue", "policy", "u8", 1, "POLICY_* for ordering this queue's children or jobs (host)"),
  c("queue", "flags", "u8", 1, "QUEUE_* bits; ACTIVE is computed by the core"),
  c("queue", "weight", "f64", 1, "fair-share weight, >= 0 (host)"),
  c("queue", "startTime", "f64", 1, "earliest submit time of its jobs, seconds; tie-break (core)"),
  c("queue", "maxRunningApps", "i32", 1, "limit on running jobs, -1 unlimited (host)"),
  c("queue", "runningApps", "i32", 1, "jobs with a running task in the subtree (core)"),
  c("queue", "maxAMShare", "f64", 1, "fraction of fair share usable by AM tasks, -1 off (host)"),
  c("queue", "minShareTimeout", "f64", 1, "seconds below min share before preempting, +inf never (host)"),
  c("queue", "fairShareTimeout", "f64", 1, "seconds below threshold x fair share before preempting (host)"),
  c("queue", "fairShareThreshold", "f64", 1, "fraction of fair share that counts as starved (host)"),
  c("queue", "belowMinSince", "f64", 1, "time it fell below min share, NaN when not below (core)"),
  c("queue", "belowFairSince", "f64", 1, "time it fell below threshold x fair share, NaN when not (core)"),
  c("queue", "minResources", "f64", "dims", "guaranteed share, absolute (host)"),
  c("queue", "maxResources", "f64", "dims", "cap, +inf when unlimited (host)"),
  c("queue", "usage", "f64", "dims", "resources of running tasks in the subtree (core)"),
  c("queue", "amUsage", "f64", "dims", "resources of running AM tasks in the subtree (core)"),
  c("queue", "demand", "f64", "dims", "usage plus pending requests in the subtree (core)"),
  c("queue", "fairShare", "f64", "dims", "instantaneous fair share (core)"),
  c("queue", "steadyFairShare", "f64", "dims", "steady fair share (core)"),
  c("queue", "nameRank", "i32", 1, "rank of the full name in sorted order, the last ordering tie-break (host)"),
  c("queue", "heap", "i32", 1, "storage of the children heaps of the allocation pass, ranges per parent (core)"),
  c("queue", "heapStart", "i32", 1, "first index of this queue's children heap in queue.heap (core)"),
  c("queue", "heapSize", "i32", 1, "children still placeable in this pass (core)"),
  c("queue", "jobHeapStart", "i32", 1, "first index of this leaf's job heap in job.heap (core)"),
  c("queue", "jobHeapSize", "i32", 1, "jobs of this leaf still placeable in this pass (core)"),
  c("queue", "leastGpus", "f64", 1, "fewest GPUs one pending task of the leaf asks for, set by a pass; a leaf whose least request fits no node leaves the pass (core)"),
  c("queue", "jobHeapReady", "u8", 1, "1 once this pass has heap-ordered the leaf's job heap (core)"),
  c("queue", "heapKey", "f64", 1, "first ordering key among siblings under the parent's policy, smaller is needier; kept current by the pass (core)"),
  c("queue", "brokenGangs", "i32", 1, "running gangs in the subtree with members back in pending (a node was lost), counted by each pass (core)"),
  c("queue", "starvedFor", "u8", 1, "STARVED_* bits of the timeouts that have passed, leaves only (core)"),
  c("queue", "starvation", "f64", "dims", "resources a starved leaf may reclaim: max of min-share and fair-share deficit, capped by pending demand (core)"),
  c("queue", "preemptNeed", "f64", "dims", "starvation the preemption plan has not covered yet, work space (core)"),
  c("queue", "preemptRelease", "f64", "dims", "resources of the subtree's victims chosen so far, work space (core)"),

  // node
  c("node", "gpuType", "i32", 1, "GPU type index, NONE when the node has no typed GPUs (host)"),
  c("node", "rack", "i32", 1, "rack id from the topology path, NONE when unknown (host)"),
  c("node", "domain", "i32", 1, "NVLink domain id from the topology path, NONE when unknown (host)"),
  c("node", "labels", "i32", 1, "bit set of interned label key=value pairs (host)"),
  c("node", "flags", "u8", 1, "NODE_* bits (host)"),
  c("node", "capacity", "f64", "dims", "total resources (host)"),
  c("node", "free", "f64", "dims", "capacity minus live allocations (core)"),
  c("node", "bucket", "i32", 1, "free-GPU bucket the node is listed in, NONE when unlisted (core)"),
  c("node", "bucketNext", "i32", 1, "next node in the same bucket, NONE at the end (core)"),
  c("node", "bucketPrev", "i32", 1, "previous node in the same bucket, NONE at the head (core)"),
  c("node", "byDomain", "i32", 1, "node rows sorted by NVLink domain, then row (core)"),
  c("node", "byRack", "i32", 1, "node rows sorted by rack, then domain, then row (core)"),
  c("node", "domainStart", "i32", 1, "first position in node.byDomain of the NVLink domain whose id equals this row number, NONE when it has no node (core)"),
  c("node", "rackStart", "i32", 1, "first position in node.byRack of the rack whose id equals this row number, NONE when it has no node (core)"),
  c("node", "reservedFor", "i32", 1, "job row that space freed by preemption is reserved for, valid while reservedUntil > time (core, kept across passes)"),
  c("node", "reservedUntil", "f64", 1, "time the reservation lapses, seconds; 0 when none (core, kept across passes)"),
  c("node", "reserved", "f64", "dims", "resources reserved for reservedFor; other jobs may use only free minus reserved (core, kept across passes)"),
  c("node", "firstAlloc", "i32", 1, "first victim candidate on the node, list sorted by victim order, for preemption planning (core)"),
  c("node", "planFree", "f64", "dims", "free space plus what the plan frees minus what it promises, work space (core)"),
  c("node", "lostRate", "f64", 1, "least work lost per cost-dimension unit its victims free, a lower bound for pruning; +inf with no candidate (core)"),
  c("node", "preemptOrder", "i32", 1, "binary min-heap of node rows by lostRate, then row, that preemption planning searches (core)"),

  // job
  c("job", "queue", "i32", 1, "leaf queue row (host)"),
  c("job", "user", "i32", 1, "interned user id (host)"),
  c("job", "priority", "i32", 1, "larger runs first under fifo (host)"),
  c("job", "flags", "u8", 1, "JOB_* bits; RUNNING is computed by the core"),
  c("job", "submitTime", "f64", 1, "seconds (host)"),
  c("job", "weight", "f64", 1, "weight among jobs of its queue under fair and drf (host)"),
  c("job", "checkpointInterval", "f64", 1, "seconds between checkpoints, 0 when none (host)"),
  c("job", "firstGroup", "i32", 1, "first task-group row (host)"),
  c("job", "groupCount", "i32", 1, "number of task groups (host)"),
  c("job", "pendingTasks", "i32", 1, "tasks still waiting, all groups (host, core)"),
  c("job", "runningTasks", "i32", 1, "live allocations (core)"),
  c("job", "elasticMin", "i32", 1, "tasks that must fit before an elastic job starts (host)"),
  c("job", "locality", "i32", 1, "preferred rack or domain id, NONE when it has none (host)"),
  c("job", "localityLevel", "u8", 1, "0 none, 1 domain, 2 rack (host)"),
  c("job", "missedOffers", "i32", 1, "scheduling offers skipped waiting for locality (core)"),
  c("job", "reason", "i32", 1, "REASON_* why it is still pending after a pass (core)"),
  c("job", "reasonDim", "i32", 1, "dimension or queue the reason refers to (core)"),
  c("job", "reasonValue", "f64", 1, "first number of the reason, e.g. usage (core)"),
  c("job", "reasonLimit", "f64", 1, "second number of the reason, e.g. the limit (core)"),
  c("job", "usage", "f64", "dims", "resources of live allocations (core)"),
  c("job", "nameRank", "i32", 1, "rank of the name in sorted order, the last ordering tie-break (host)"),
  c("job", "reasonQueue", "i32", 1, "queue row the reason refers to, NONE when none (core)"),
  c("job", "heap", "i32", 1, "storage of the per-leaf job heaps of the allocation pass (core)"),
  c("job", "heapKey", "f64", 1, "first ordering key among the jobs of its leaf, smaller is needier; kept current by the pass (core)"),
  c("job", "leastGpus", "f64", 1, "fewest GPUs one of its pending tasks asks for, set by a pass (core)"),
  c("job", "userMaxApps", "i32", 1, "limit on running jobs of the user whose interned id equals this row number, -1 unlimited (host)"),
  c("job", "userRunningApps", "i32", 1, "running jobs of the user whose interned id equals this row number, counted by each pass (core)"),
  c("job", "lostWork", "f64", 1, "work lost if every live task of the job stops: cost-dimension amount x seconds since checkpoint (core)"),
  c("job", "reservations", "i32", 1, "nodes holding an unexpired reservation for the job, recounted by each plan (core)"),
  c("job", "firstAlloc", "i32", 1, "first live alloc of the job, list head for preemption planning (core)"),

  // group: a pending task shape
  c("group", "job", "i32", 1, "owning job row (host)"),
  c("group", "pending", "i32", 1, "tasks of this shape still pending (host, core)"),
  c("group", "gpuTypes", "i32", 1, "bit set of acceptable GPU types, 0 for any (host)"),
  c("group", "labels", "i32", 1, "bit set of required node labels (host)"),
  c("group", "flags", "u8", 1, "TASK_* bits (host)"),
  c("group", "request", "f64", "dims", "resources of one task (host)"),

  // alloc: a running task
  c("alloc", "job", "i32", 1, "owning job row (host)"),
  c("alloc", "node", "i32", 1, "node row (host, core)"),
  c("alloc", "flags", "u8", 1, "TASK_AM and ALLOC_LIVE bits (host, core)"),
  c("alloc", "startTime", "f64", 1, "seconds (host)"),
  c("alloc", "lastCheckpoint", "f64", 1, "seconds; NaN when never checkpointed (host)"),
  c("alloc", "request", "f64", "dims", "resources held (host)"),
  c("alloc", "nextOnNode", "i32", 1, "next victim candidate on the same node in victim order, NONE at the end (core)"),
  c("alloc", "nextOfJob", "i32", 1, "next live alloc of the same job, NONE at the end, preemption planning (core)"),
  c("alloc", "preemptState", "u8", 1, "0 candidate, 1 victim, 2 tentative victim, 3 not preemptable in this plan (core)"),
  c("alloc", "lostWork", "f64", 1, "work lost if this task alone stops: cost-dimension amount x seconds since checkpoint (core)"),

  // placement: one task placed by the last pass
  c("placement", "job", "i32", 1, "job row (core)"),
  c("placement", "group", "i32", 1, "task-group row (core)"),
  c("placement", "node", "i32", 1, "node row (core)"),
  c("placement", "alloc", "i32", 1, "alloc row the pass created for the placed task (core)"),

  // victim: one running task to stop
  c("victim", "alloc", "i32", 1, "alloc row to preempt (core)"),
  c("victim", "forJob", "i32", 1, "starved job the space is for (core)"),
  c("victim", "reason", "i32", 1, "STARVED_* bits of the starved queue (core)"),
  c("victim", "forNode", "i32", 1, "node the starved task is planned on (core)"),
  c("victim", "forQueue", "i32", 1, "starved leaf queue row (core)"),

  // scratch: work space of one pass, never read by the host
  c("scratch", "i32a", "i32", 1, "general integer work column (core)"),
  c("scratch", "i32b", "i32", 1, "general integer work column (core)"),
  c("scratch", "i32c", "i32", 1, "general integer work column (core)"),
  c("scratch", "f64a", "f64", 1, "general float work column (core)"),
  c("scratch", "f64b", "f64", 1, "general float work column (core)"),
];

/** Rows per table; `header` is always 1. */
export interface Capacities {
  dims: number;
  queue: number;
  node: number;
  job: number;
  group: number;
  alloc: number;
  placement: number;
  victim: number;
  scratch: number;
}

export interface PlannedColumn extends ColumnDef {
  /** Byte offset from the start of memory. */
  offset: number;
  /** Elements in the column (rows x width). */
  length: number;
}

export interface LayoutPlan {
  base: number;
  /** Byte offset of the directory, equal to `base`. */
  directory: number;
  columns: PlannedColumn[];
  /** First byte after the region. */
  end: number;
}

export const BYTES: Record<ElementType, number> = { u8: 1, i32: 4, f64: 8 };

/** Upper bound on resource dimensions; wider vectors would need a wider directory format. */
export const MAX_DIMS = 8;

/** Places every column of one state region starting at `base` (8-byte aligned). */
export function planLayout(capacities: Capacities, base: number): LayoutPlan {
  if (capacities.dims < 1 || capacities.dims > MAX_DIMS) {
    throw new RangeError(`dims must be 1..${MAX_DIMS}, got ${capacities.dims}`);
  }
  const align = (n: number) => (n + 7) & ~7;

  let cursor = align(base) + align(COLUMNS.length * 4);
  const columns: PlannedColumn[] = [];
  for (const column of COLUMNS) {
    const rows = column.table === "header" ? 1 : Math.max(1, capacities[column.table]);
    const width = column.width === "dims" ? capacities.dims : 1;
    const length = rows * width;
    columns.push({ ...column, offset: cursor, length });
    cursor = align(cursor + length * BYTES[column.type]);
  }
  return { base: align(base), directory: align(base), columns, end: cursor };
}
