/**
 * Builds the scheduler's starting snapshot for a simulation: the cluster's nodes, the queue tree
 * with the run's policy and preemption settings, and no jobs (jobs arrive as events). Also turns
 * a trace job into the `JobSpec` the scheduler takes.
 */
import { DEFAULT_RESOURCES, type JobSpec, type NodeSpec, type QueueSpec, type Snapshot } from "../model/types.js";
import type { TraceJob } from "../traces/types.js";
import type { SimulationOptions } from "./options.js";

/**
 * Returns every queue of the tree, `root` first and parents before children, with the run's
 * settings applied:
 *
 * 1. Missing parents (and `root`) are created with weight 1.
 *
 * 2. `policy`, when set, becomes every queue's `schedulingPolicy`.
 *
 * 3. With preemption on, a queue without preemption timeouts gets `fairSharePreemptionTimeout`
 *    and `fairSharePreemptionThreshold` from the options. With preemption off, all timeouts are
 *    removed, so the scheduler never plans preemption.
 */
export function buildQueueTree(queues: QueueSpec[], options: SimulationOptions): QueueSpec[] {
  const byName = new Map<string, QueueSpec>();
  byName.set("root", { name: "root" });
  for (const queue of queues) {
    const parts = queue.name.split(".");
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join(".");
      if (!byName.has(parent)) byName.set(parent, { name: parent });
    }
    byName.set(queue.name, { ...byName.get(queue.name), ...queue });
  }

  // Sorting full names puts every parent before its children, because a prefix sorts first.
  const tree = [...byName.values()];
  tree.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const queue of tree) {
    if (options.policy) queue.schedulingPolicy = options.policy;
    if (options.preemption) {
      if (queue.fairSharePreemptionTimeout === undefined && queue.minSharePreemptionTimeout === undefined) {
        queue.fairSharePreemptionTimeout = options.preemptionTimeout;
      }
      queue.fairSharePreemptionThreshold ??= options.preemptionThreshold;
    } else {
      delete queue.fairSharePreemptionTimeout;
      delete queue.minSharePreemptionTimeout;
    }
  }
  return tree;
}

/** Returns the names of queues that have no children, in name order. */
export function leafQueueNames(tree: QueueSpec[]): string[] {
  const names = tree.map((queue) => queue.name).sort();
  return names.filter((name, index) => !(names[index + 1]?.startsWith(`${name}.`) ?? false));
}

/** Returns the dimension names: gpu, cpu, memory, then any other dimension the nodes declare. */
export function resourceNames(nodes: NodeSpec[]): string[] {
  const names = [...DEFAULT_RESOURCES];
  for (const node of nodes) {
    for (const dimension of Object.keys(node.capacity)) {
      if (!names.includes(dimension)) names.push(dimension);
    }
  }
  return names;
}

/** Builds the starting snapshot at `time` seconds: nodes and queues, no jobs. */
export function buildSnapshot(nodes: NodeSpec[], queueTree: QueueSpec[], time: number): Snapshot {
  return {
    version: 1,
    time,
    resources: resourceNames(nodes),
    nodes: nodes.map((node) => ({ ...node })),
    queues: queueTree,
    jobs: [],
    source: "simulation",
  };
}

/** Turns a trace job into the scheduler's job: `taskCount` pending tasks of one shape. */
export function toJobSpec(job: TraceJob, checkpointInterval: number): JobSpec {
  const spec: JobSpec = {
    name: job.name,
    queue: job.queue,
    user: job.user,
    submitTime: job.submitTime,
    gang: job.gang,
    preemptible: true,
    tasks: [{ request: { ...job.request }, count: job.taskCount, ...(job.gpuTypes ? { gpuTypes: [...job.gpuTypes] } : {}) }],
  };
  if (checkpointInterval > 0) spec.checkpointInterval = checkpointInterval;
  return spec;
}
