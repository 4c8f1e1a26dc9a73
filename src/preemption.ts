/**
 * Host side of preemption planning. It sets the plan's inputs in the core state and reads the
 * plan back as named preemptions with a reason in plain words. It also carries what a stateless
 * caller must hand to the next pass: the queues' starvation clocks and the nodes' reservations.
 */
import type { StateIndex } from "./core/load.js";
import { NONE, STARVED_FAIR_SHARE, STARVED_MIN_SHARE } from "./core/layout.js";
import type { CoreState } from "./core/state.js";
import type { Preemption } from "./decision.js";
import type { ResourceAmounts, Snapshot } from "./model/types.js";

/**
 * Seconds that space freed by preemption stays reserved for its starved job by default. It is
 * an estimate of the time a caller needs to stop the victims and run the next pass. A job placed
 * earlier releases its reservation at once.
 */
export const DEFAULT_RESERVATION_TIMEOUT = 60;

/** A queue's starvation clocks: when it fell below each share, `null` when it is not below. */
export interface QueueClock {
  name: string;
  belowMinShareSince: number | null;
  belowFairShareSince: number | null;
}

/** Space on a node held for a starved job until `until` (seconds). */
export interface Reservation {
  node: string;
  job: string;
  until: number;
  resources: ResourceAmounts;
}

export interface PreemptionOptions {
  /** Seconds that freed space stays reserved for its starved job; 0 reserves nothing past the pass. */
  reservationTimeout?: number;
}

/** Writes the header inputs of preemption planning; call once after loading a state. */
export function preparePreemption(state: CoreState, options: PreemptionOptions = {}): void {
  const timeout = options.reservationTimeout ?? DEFAULT_RESERVATION_TIMEOUT;
  if (!(timeout >= 0)) {
    throw new RangeError(`reservationTimeout must be a number of seconds >= 0, got ${timeout}`);
  }
  state.f64("header.reservationTimeout")[0] = timeout;
}

/** Formats a threshold with at least one decimal, as `1.0` or `0.75`. */
function formatThreshold(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Formats a duration in seconds with at most one decimal. */
function formatSeconds(value: number): string {
  return `${Math.round(value * 10) / 10} s`;
}

/**
 * Returns why queue row `q` is starved, for example `root.b below min share for 45 s` or
 * `root.b below 1.0 x fair share for 10 s` (both parts, joined by `and`, when both hold).
 */
export function starvationReason(state: CoreState, index: StateIndex, q: number): string {
  const bits = state.u8("queue.starvedFor")[q];
  const now = state.f64("header.time")[0];
  const parts: string[] = [];
  if (bits & STARVED_MIN_SHARE) {
    parts.push(`below min share for ${formatSeconds(now - state.f64("queue.belowMinSince")[q])}`);
  }
  if (bits & STARVED_FAIR_SHARE) {
    const threshold = formatThreshold(state.f64("queue.fairShareThreshold")[q]);
    parts.push(`below ${threshold} x fair share for ${formatSeconds(now - state.f64("queue.belowFairSince")[q])}`);
  }
  return `${index.queues[q]} ${parts.length > 0 ? parts.join(" and ") : "starved"}`;
}

/**
 * Reads the victims of the last `planPreemption` call as preemptions, in victim-row order.
 * `taskOf(allocRow)` returns the task id the host gives each alloc row.
 */
export function readPreemptions(state: CoreState, index: StateIndex, taskOf: (allocRow: number) => number): Preemption[] {
  const count = state.i32("header.victimCount")[0];
  const victimAlloc = state.i32("victim.alloc");
  const forJob = state.i32("victim.forJob");
  const forQueue = state.i32("victim.forQueue");
  const allocJob = state.i32("alloc.job");
  const allocNode = state.i32("alloc.node");
  const reasons = new Map<number, string>();
  const preemptions: Preemption[] = [];
  for (let v = 0; v < count; v++) {
    const a = victimAlloc[v];
    const q = forQueue[v];
    let reason = reasons.get(q);
    if (reason === undefined) {
      reason = starvationReason(state, index, q);
      reasons.set(q, reason);
    }
    preemptions.push({
      job: index.jobs[allocJob[a]],
      node: index.nodes[allocNode[a]],
      task: taskOf(a),
      reason,
      forJob: index.jobs[forJob[v]],
      forQueue: index.queues[q],
    });
  }
  return preemptions;
}

/** Reads every queue's starvation clocks, root included, in queue-row order. */
export function readQueueClocks(state: CoreState, index: StateIndex): QueueClock[] {
  const minSince = state.f64("queue.belowMinSince");
  const fairSince = state.f64("queue.belowFairSince");
  const orNull = (value: number) => (Number.isNaN(value) ? null : value);
  return index.queues.map((name, q) => ({
    name,
    belowMinShareSince: orNull(minSince[q]),
    belowFairShareSince: orNull(fairSince[q]),
  }));
}

/**
 * Returns a copy of `snapshot` whose queues carry `clocks` (`belowMinShareSince`,
 * `belowFairShareSince`), so a stateless caller can hand one decision's clocks to the next.
 * Queues missing from the snapshot are added with only their clocks.
 */
export function withQueueClocks(snapshot: Snapshot, clocks: readonly QueueClock[]): Snapshot {
  const byName = new Map(clocks.map((clock) => [clock.name, clock]));
  const queues = snapshot.queues.map((queue) => {
    const clock = byName.get(queue.name);
    byName.delete(queue.name);
    if (!clock) return queue;
    return { ...queue, belowMinShareSince: clock.belowMinShareSince ?? undefined, belowFairShareSince: clock.belowFairShareSince ?? undefined };
  });
  for (const clock of byName.values()) {
    if (clock.name === "root") continue;
    queues.push({
      name: clock.name,
      belowMinShareSince: clock.belowMinShareSince ?? undefined,
      belowFairShareSince: clock.belowFairShareSince ?? undefined,
    });
  }
  return { ...snapshot, queues };
}

/** Reads the reservations that hold at the state's clock. */
export function readReservations(state: CoreState, index: StateIndex): Reservation[] {
  const now = state.f64("header.time")[0];
  const nodes = state.i32("header.nodeCount")[0];
  const reservedFor = state.i32("node.reservedFor");
  const reservedUntil = state.f64("node.reservedUntil");
  const reserved = state.f64("node.reserved");
  const D = state.dims;
  const result: Reservation[] = [];
  for (let n = 0; n < nodes; n++) {
    if (!(reservedUntil[n] > now) || reservedFor[n] === NONE) continue;
    const resources: ResourceAmounts = {};
    index.resources.forEach((name, d) => (resources[name] = reserved[n * D + d]));
    result.push({ node: index.nodes[n], job: index.jobs[reservedFor[n]], until: reservedUntil[n], resources });
  }
  return result;
}

/**
 * Writes `reservations` into a freshly loaded state (every other node unreserved). A
 * reservation whose node or job the state does not have is skipped: the job has finished or
 * the node is gone, so there is nothing left to hold.
 */
export function writeReservations(state: CoreState, index: StateIndex, reservations: readonly Reservation[]): void {
  const nodes = state.i32("header.nodeCount")[0];
  const reservedFor = state.i32("node.reservedFor");
  const reservedUntil = state.f64("node.reservedUntil");
  const reserved = state.f64("node.reserved");
  const D = state.dims;
  reservedFor.fill(NONE, 0, nodes);
  reservedUntil.fill(0, 0, nodes);
  reserved.fill(0, 0, nodes * D);
  const dimRow = new Map(index.resources.map((name, d) => [name, d]));
  for (const reservation of reservations) {
    const n = index.nodeRow.get(reservation.node);
    const j = index.jobRow.get(reservation.job);
    if (n === undefined || j === undefined) continue;
    reservedFor[n] = j;
    reservedUntil[n] = reservation.until;
    for (const [name, amount] of Object.entries(reservation.resources)) {
      const d = dimRow.get(name);
      if (d !== undefined) reserved[n * D + d] = amount;
    }
  }
}

/** Preemption fields of a decision besides the preemptions themselves. */
export interface PreemptionOutput {
  /** Every queue's starvation clocks after the pass; hand them to the next `decide` call. */
  queues: QueueClock[];
  /** Space held for starved jobs after the pass. */
  reservations: Reservation[];
}

/**
 * Plans preemption on a state the allocation pass has just run on, and fills `decision` with the
 * preemptions, the queues' clocks and the reservations. `taskOf(allocRow)` returns the task id
 * the host gives each alloc row. Returns `decision`.
 */
export function planPreemptionInto<T extends { preemptions: Preemption[] }>(
  state: CoreState,
  index: StateIndex,
  decision: T,
  taskOf: (allocRow: number) => number,
): T & PreemptionOutput {
  state.call("planPreemption");
  const result = decision as T & PreemptionOutput;
  result.preemptions = readPreemptions(state, index, taskOf);
  result.queues = readQueueClocks(state, index);
  result.reservations = readReservations(state, index);
  return result;
}

/** Preemption state that must survive a rebuild of the core state. */
export interface CarriedPreemptionState {
  clocks: QueueClock[];
  reservations: Reservation[];
}

/** Reads the clocks and reservations of `state` before it is rebuilt. */
export function capturePreemptionState(state: CoreState, index: StateIndex): CarriedPreemptionState {
  return { clocks: readQueueClocks(state, index), reservations: readReservations(state, index) };
}

/** Writes clocks and reservations captured from an earlier state into a rebuilt one, by name. */
export function restorePreemptionState(state: CoreState, index: StateIndex, carried: CarriedPreemptionState): void {
  const minSince = state.f64("queue.belowMinSince");
  const fairSince = state.f64("queue.belowFairSince");
  for (const clock of carried.clocks) {
    const q = index.queueRow.get(clock.name);
    if (q === undefined) continue;
    minSince[q] = clock.belowMinShareSince ?? NaN;
    fairSince[q] = clock.belowFairShareSince ?? NaN;
  }
  writeReservations(state, index, carried.reservations);
}
