/**
 * A binary min-heap of simulator events ordered by time, then kind, then insertion order, so
 * events at equal times always come out in the same order (the simulator's determinism rests
 * on it).
 */

/** Event kinds, in the order they are applied within one timestamp. */
export enum EventKind {
  /** Task or gang completion: frees resources before anything else at that time. */
  Finish = 0,
  /** Completion of a whole gang: all members finish together. */
  FinishGang = 1,
  /** Node added, removed, drained or returned to service. */
  Node = 2,
  /** Job submission. */
  Arrival = 3,
  /** Pass with no other event, so that time-based rules (preemption timeouts) can fire. */
  Wakeup = 4,
}

export interface SimEvent {
  /** Simulated time in seconds. */
  time: number;
  kind: EventKind;
  /** Job index (arrival, gang finish), run serial (task finish) or node-event index. */
  target: number;
  /** Stamp that must still match the target's current stamp, or the event is stale. */
  stamp: number;
  /** Insertion counter, the last tie-breaker. */
  sequence: number;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Adds an event; `time` is in seconds. */
  push(time: number, kind: EventKind, target: number, stamp = 0): void {
    const event: SimEvent = { time, kind, target, stamp, sequence: this.sequence++ };
    const heap = this.heap;
    heap.push(event);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!before(event, heap[parent])) break;
      heap[child] = heap[parent];
      child = parent;
    }
    heap[child] = event;
  }

  /** Returns the earliest event without removing it, or undefined when empty. */
  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): SimEvent | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let parent = 0;
      const count = heap.length;
      for (;;) {
        const left = 2 * parent + 1;
        if (left >= count) break;
        const right = left + 1;
        const child = right < count && before(heap[right], heap[left]) ? right : left;
        if (!before(heap[child], last)) break;
        heap[parent] = heap[child];
        parent = child;
      }
      heap[parent] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.sequence < b.sequence;
}
