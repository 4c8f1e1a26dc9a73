/**
 * Decisions of a scheduling pass as the host reports them (placements, preemptions, a reason per
 * pending job), and the rendering of the core's reason codes into plain messages.
 */
import type { QueueClock, Reservation } from "./preemption.js";
import type { StateIndex } from "./core/load.js";
import {
  NODE_SCHEDULABLE,
  REASON_AM_SHARE,
  REASON_ELASTIC_AT_FAIR_SHARE,
  REASON_EXCEEDS_LARGEST_NODE,
  REASON_GANG_DOES_NOT_FIT,
  REASON_NO_GPU_TYPE,
  REASON_NO_LABELS,
  REASON_NO_ROOM,
  REASON_NO_SCHEDULABLE_NODES,
  REASON_QUEUE_MAX_RESOURCES,
  REASON_QUEUE_MAX_RUNNING_APPS,
  REASON_TABLE_FULL,
  REASON_USER_MAX_RUNNING_APPS,
  REASON_WAITING_FOR_LOCALITY,
} from "./core/layout.js";
import type { CoreState } from "./core/state.js";
import type { ResourceAmounts } from "./model/types.js";

/** One task placed by a pass. */
export interface Placement {
  job: string;
  node: string;
  /** Resources of the task, per dimension name. */
  request: ResourceAmounts;
  /** Stable task id, usable with `Scheduler.finishTask` and `Scheduler.preemptTask`. */
  task: number;
  /** GPU type of the node, when it has one. */
  gpuType?: string;
}

/** One running task to stop so a starved queue gets its share. */
export interface Preemption {
  job: string;
  node: string;
  task: number;
  reason: string;
  /** The starved job the freed space is for. */
  forJob?: string;
  /** The starved queue the freed space is for. */
  forQueue?: string;
}

/** A job that still has pending tasks after the pass, with the reason in plain words. */
export interface PendingJob {
  job: string;
  reason: string;
}

export interface Decision {
  placements: Placement[];
  preemptions: Preemption[];
  pending: PendingJob[];
  /** Every queue's starvation clocks after the pass; a stateless caller passes them back next time. */
  queues?: QueueClock[];
  /** Space held for starved jobs after the pass. */
  reservations?: Reservation[];
}

/** Formats a number with at most two decimals and no trailing zeros. */
function formatAmount(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "unlimited" : String(value);
  return String(Math.round(value * 100) / 100);
}

/** Returns the names of the bits set in `bits`, from the interned `names`. */
function bitNames(bits: number, names: string[]): string[] {
  const result: string[] = [];
  for (let bit = 0; bit < names.length; bit++) if (bits & (1 << bit)) result.push(names[bit]);
  return result;
}

/** Returns the first group of job `j` with a pending task (or its first group). */
function firstPendingGroup(state: CoreState, j: number): number {
  const first = state.i32("job.firstGroup")[j];
  const count = state.i32("job.groupCount")[j];
  const pending = state.i32("group.pending");
  for (let g = first; g < first + count; g++) if (pending[g] > 0) return g;
  return first;
}

/** Room for members of one task shape in one rack: nodes with room, and tasks they hold in all. */
export interface FreeBlock {
  /** Topology path of the rack, or the node's name for a node without a rack. */
  place: string;
  nodes: number;
  tasks: number;
}

/**
 * Returns the largest free block for tasks of group `g` in the current state: the rack whose
 * schedulable nodes (of an acceptable GPU type, with the required labels) have free space for
 * the most such tasks, the lower rack id on ties. Returns undefined when no node has room for one.
 */
export function largestFreeBlock(state: CoreState, index: StateIndex, g: number): FreeBlock | undefined {
  const D = state.dims;
  const request = state.f64("group.request").subarray(g * D, (g + 1) * D);
  const types = state.i32("group.gpuTypes")[g];
  const labels = state.i32("group.labels")[g];
  const nodes = state.i32("header.nodeCount")[0];
  const flags = state.u8("node.flags");
  const gpuType = state.i32("node.gpuType");
  const nodeLabels = state.i32("node.labels");
  const rack = state.i32("node.rack");
  const free = state.f64("node.free");
  const byRack = new Map<number, FreeBlock>();
  let best: FreeBlock | undefined;

  for (let n = 0; n < nodes; n++) {
    if ((flags[n] & NODE_SCHEDULABLE) === 0) continue;
    if (types !== 0 && (gpuType[n] < 0 || (types & (1 << gpuType[n])) === 0)) continue;
    if ((labels & ~nodeLabels[n]) !== 0) continue;
    let tasks = Infinity;
    for (let d = 0; d < D; d++) if (request[d] > 0) tasks = Math.min(tasks, Math.floor(free[n * D + d] / request[d] + 1e-9));
    if (tasks <= 0) continue;
    if (!Number.isFinite(tasks)) tasks = 1;

    const key = rack[n] >= 0 ? rack[n] : -1 - n;
    let block = byRack.get(key);
    if (!block) {
      block = { place: rack[n] >= 0 ? index.topology[rack[n]] : index.nodes[n], nodes: 0, tasks: 0 };
      byRack.set(key, block);
    }
    block.nodes++;
    block.tasks += tasks;
    if (!best || block.tasks > best.tasks) best = block;
  }
  return best;
}

/**
 * Describes the largest free block for tasks of group `g`, cached per task shape in `blocks`;
 * undefined when no node has room for one task.
 */
function describeBlock(state: CoreState, index: StateIndex, g: number, blocks: Map<string, string | undefined>): string | undefined {
  const D = state.dims;
  const key = `${state.i32("group.gpuTypes")[g]}|${state.i32("group.labels")[g]}|${Array.from(state.f64("group.request").subarray(g * D, (g + 1) * D)).join(",")}`;
  if (blocks.has(key)) return blocks.get(key);
  const block = largestFreeBlock(state, index, g);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const text = block ? `largest free block is ${plural(block.nodes, "node")} in ${block.place} (room for ${plural(block.tasks, "task")})` : undefined;
  blocks.set(key, text);
  return text;
}

/**
 * Renders the reason the core recorded for pending job `j` after the last pass. `blocks` caches
 * free-block descriptions per task shape across the jobs of one decision.
 */
export function renderReason(state: CoreState, index: StateIndex, j: number, blocks = new Map<string, string | undefined>()): string {
  const code = state.i32("job.reason")[j];
  const q = state.i32("job.reasonQueue")[j];
  const d = state.i32("job.reasonDim")[j];
  const value = state.f64("job.reasonValue")[j];
  const limit = state.f64("job.reasonLimit")[j];
  const queue = q >= 0 ? index.queues[q] : "";
  const dim = index.resources[d] ?? `dimension ${d}`;

  switch (code) {
    case REASON_QUEUE_MAX_RESOURCES:
      return `queue ${queue} is at maxResources (${dim} ${formatAmount(value)}/${formatAmount(limit)})`;
    case REASON_QUEUE_MAX_RUNNING_APPS:
      return `queue ${queue} is at maxRunningApps (${formatAmount(limit)})`;
    case REASON_USER_MAX_RUNNING_APPS:
      return `user ${index.users[state.i32("job.user")[j]]} is at maxRunningApps (${formatAmount(limit)})`;
    case REASON_AM_SHARE:
      return `queue ${queue} is at maxAMShare for application masters (${dim} ${formatAmount(value)}/${formatAmount(limit)})`;
    case REASON_EXCEEDS_LARGEST_NODE:
      return `request ${dim} ${formatAmount(value)} exceeds the largest node (${formatAmount(limit)})`;
    case REASON_NO_GPU_TYPE:
      return `no node has GPU type ${bitNames(value, index.gpuTypes).join(" or ")}`;
    case REASON_NO_LABELS:
      return `no node has labels ${bitNames(value, index.labels).join(", ")}`;
    case REASON_GANG_DOES_NOT_FIT: {
      const g = firstPendingGroup(state, j);
      const each = state.f64("group.request")[g * state.dims + d];
      const shape = index.resources[d] === "gpu" ? `${limit}x${formatAmount(each)} GPUs` : `${limit}x${dim} ${formatAmount(each)}`;
      const block = describeBlock(state, index, g, blocks);
      if (block === undefined) return `gang of ${shape} does not fit: no node has room for one task`;
      return `gang of ${shape} does not fit: only ${value} of ${limit} tasks find room, and the ${block}`;
    }
    case REASON_WAITING_FOR_LOCALITY:
      return `waiting for locality (${value}/${limit} offers skipped)`;
    case REASON_NO_SCHEDULABLE_NODES:
      return "cluster has no schedulable nodes";
    case REASON_NO_ROOM:
      return value <= limit
        ? `no node has room for ${dim} ${formatAmount(value)} (${formatAmount(limit)} free in the cluster, fragmented across nodes)`
        : `no node has room for ${dim} ${formatAmount(value)} (${formatAmount(limit)} free in the cluster)`;
    case REASON_TABLE_FULL:
      return "the pass filled its placement table before reaching this job";
    case REASON_ELASTIC_AT_FAIR_SHARE:
      return `elastic job grows only within its queue's fair share (queue ${queue} ${dim} ${formatAmount(value)}/${formatAmount(limit)})`;
    default:
      return "not considered by the last pass";
  }
}

/** Returns the request of group `g` as amounts per dimension name. */
export function groupRequest(state: CoreState, index: StateIndex, g: number): ResourceAmounts {
  const request: ResourceAmounts = {};
  const values = state.f64("group.request");
  index.resources.forEach((name, d) => {
    request[name] = values[g * state.dims + d];
  });
  return request;
}

/**
 * Reads the placements of the last pass and a reason for every job with pending tasks.
 * `taskOf(allocRow)` returns the task id the host gives the alloc row of each placement.
 */
export function readDecision(state: CoreState, index: StateIndex, taskOf: (allocRow: number) => number): Decision {
  const placements: Placement[] = [];
  const count = state.i32("header.placementCount")[0];
  const jobCol = state.i32("placement.job");
  const nodeCol = state.i32("placement.node");
  const groupCol = state.i32("placement.group");
  const allocCol = state.i32("placement.alloc");
  const gpuType = state.i32("node.gpuType");
  for (let p = 0; p < count; p++) {
    const n = nodeCol[p];
    const placement: Placement = {
      job: index.jobs[jobCol[p]],
      node: index.nodes[n],
      request: groupRequest(state, index, groupCol[p]),
      task: taskOf(allocCol[p]),
    };
    if (gpuType[n] >= 0) placement.gpuType = index.gpuTypes[gpuType[n]];
    placements.push(placement);
  }

  const pending: PendingJob[] = [];
  const pendingTasks = state.i32("job.pendingTasks");
  const jobs = state.i32("header.jobCount")[0];
  const blocks = new Map<string, string | undefined>();
  for (let j = 0; j < jobs; j++) {
    if (pendingTasks[j] > 0) pending.push({ job: index.jobs[j], reason: renderReason(state, index, j, blocks) });
  }
  return { placements, preemptions: [], pending };
}
