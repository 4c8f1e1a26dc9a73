/**
 * The host's model of a cluster: what every reader (native snapshot, YARN and Spark allocation
 * files, traces) produces and what the core bindings consume. Plain data, no behaviour.
 *
 * Units: times in seconds, memory in MiB, cpu in whatever unit the input uses (vcores or
 * millicores), gpu as a count of whole devices.
 */

/** Scheduling policy of a queue's children, as YARN's `schedulingPolicy`. */
export type SchedulingPolicy = "fair" | "fifo" | "drf";

/** Amounts per dimension name; a missing dimension means 0 (requests, min) or unlimited (max). */
export type ResourceAmounts = Record<string, number>;

export interface NodeSpec {
  name: string;
  capacity: ResourceAmounts;
  gpuType?: string;
  /** Topology path, outermost level first, for example `zone-1/rack-03/nvl-1`. */
  topology?: string;
  labels?: Record<string, string>;
  /** False for a drained or cordoned node: it keeps its running tasks but takes no new ones. */
  schedulable?: boolean;
}

export interface QueueSpec {
  /** Full dotted name starting at `root`, for example `root.research.llm`. */
  name: string;
  weight?: number;
  minResources?: ResourceAmounts;
  maxResources?: ResourceAmounts;
  /** Limits given as a percentage (0..100) of the cluster per dimension, as YARN's `50%` forms. */
  minResourcesPercent?: ResourceAmounts;
  maxResourcesPercent?: ResourceAmounts;
  /** Cap applied to each child queue created on the fly under this parent. */
  maxChildResources?: ResourceAmounts;
  maxRunningApps?: number;
  /** Fraction (0..1) of the queue's fair share that AM or driver tasks may use; -1 disables. */
  maxAMShare?: number;
  schedulingPolicy?: SchedulingPolicy;
  /** Seconds below min share before the queue may preempt; unset means never. */
  minSharePreemptionTimeout?: number;
  /** Seconds below `fairSharePreemptionThreshold` x fair share before the queue may preempt. */
  fairSharePreemptionTimeout?: number;
  fairSharePreemptionThreshold?: number;
  allowPreemptionFrom?: boolean;
  /** Users and groups allowed to submit, in YARN's `"user1,user2 group1"` form. */
  aclSubmitApps?: string;
  aclAdministerApps?: string;
  /** Cap on a single task's request, as YARN's `maxContainerAllocation`. */
  maxContainerAllocation?: ResourceAmounts;
  maxChildResourcesPercent?: ResourceAmounts;
  maxContainerAllocationPercent?: ResourceAmounts;
  /** Marks a leaf queue whose resources users may reserve, as YARN's `reservation` element. */
  reservation?: boolean;
  /** Reservation ACLs in YARN's `"user1,user2 group1"` form. */
  aclAdministerReservations?: string;
  aclListReservations?: string;
  aclSubmitReservations?: string;
  /** `parent` marks a queue as a parent even when it has no configured children yet. */
  type?: "parent" | "leaf";
  /** Preemption clocks carried by a stateless caller: the time the queue fell below each share. */
  belowMinShareSince?: number | null;
  belowFairShareSince?: number | null;
}

export interface TaskGroupSpec {
  request: ResourceAmounts;
  count: number;
  /** Acceptable GPU types; empty or missing means any. */
  gpuTypes?: string[];
  /** Node labels the task requires (all must match). */
  nodeSelector?: Record<string, string>;
  /** Marks an application master or Spark driver, counted against `maxAMShare`. */
  am?: boolean;
}

export interface AllocationSpec {
  node: string;
  request: ResourceAmounts;
  count?: number;
  startTime?: number;
  /** Time of the task's last checkpoint; preemption loses only the work after it. */
  lastCheckpoint?: number;
  am?: boolean;
}

export interface JobSpec {
  name: string;
  /** Full dotted queue name; when missing the queue placement policy chooses one. */
  queue?: string;
  user: string;
  groups?: string[];
  submitTime: number;
  priority?: number;
  /** All pending tasks are placed together or none are. */
  gang?: boolean;
  /** Elastic range of workers: starts once `min` tasks fit and grows toward `max`. */
  elastic?: { min: number; max: number };
  preemptible?: boolean;
  /** Seconds between checkpoints; preemption cost counts work since the last one. */
  checkpointInterval?: number;
  /** Topology prefix the job prefers (a rack or NVLink domain path), for delay scheduling. */
  locality?: string;
  tasks: TaskGroupSpec[];
  allocations?: AllocationSpec[];
}

/** One rule of YARN's `queuePlacementPolicy`, in order; nested rules are the parent rule. */
export interface PlacementRule {
  name: string;
  create?: boolean;
  queue?: string;
  parent?: PlacementRule;
}

export interface UserLimits {
  maxRunningApps?: number;
}

/**
 * Defaults for queues that leave a field unset, from the top-level elements of a YARN allocation
 * file (`queueMaxAppsDefault`, `queueMaxResourcesDefault`, `queueMaxAMShareDefault`,
 * `defaultQueueSchedulingPolicy`, and the `default...Preemption...` elements for `root`).
 */
export interface QueueDefaults {
  maxRunningApps?: number;
  maxResources?: ResourceAmounts;
  maxResourcesPercent?: ResourceAmounts;
  maxAMShare?: number;
  schedulingPolicy?: SchedulingPolicy;
  minSharePreemptionTimeout?: number;
  fairSharePreemptionTimeout?: number;
  fairSharePreemptionThreshold?: number;
}

/** The whole state a decision needs (the native snapshot format, version 1). */
export interface Snapshot {
  version: 1;
  /** The snapshot's clock in seconds. */
  time: number;
  /** Dimension names in order; the default is `[gpu, cpu, memory]`. */
  resources: string[];
  /** Nodes with `count` already expanded to `name-0 .. name-(count-1)`. */
  nodes: NodeSpec[];
  /** Every queue of the tree with full names, parents before children, `root` first. */
  queues: QueueSpec[];
  jobs: JobSpec[];
  placementPolicy?: PlacementRule[];
  users?: Record<string, UserLimits>;
  userMaxAppsDefault?: number;
  /** Defaults for queues created after loading (by placement); loaded queues already carry them. */
  queueDefaults?: QueueDefaults;
  /** Source of the snapshot (a file name), for error messages. */
  source?: string;
}

export const DEFAULT_RESOURCES: readonly string[] = ["gpu", "cpu", "memory"];
