/**
 * A first-come first-served, first-fit scheduler that satisfies the simulator's `SimScheduler`,
 * so the what-if tests can drive real simulations through worker threads with a scheduler
 * whose decisions are easy to predict. It never preempts.
 */
import type { JobSpec, NodeSpec, ResourceAmounts, Snapshot } from "../src/model/types.js";
import type { SimDecision, SimQueueShare, SimScheduler } from "../src/sim/types.js";

interface PendingJob {
  spec: JobSpec;
  remaining: number;
}

class FifoScheduler implements SimScheduler {
  private readonly nodes: { spec: NodeSpec; free: ResourceAmounts }[];
  private readonly pending: PendingJob[] = [];
  private readonly running = new Map<number, { node: number; request: ResourceAmounts; queue: string }>();
  private readonly leaves: string[];
  private nextTask = 0;

  constructor(snapshot: Snapshot) {
    this.nodes = snapshot.nodes.map((spec) => ({ spec, free: { ...spec.capacity } }));
    const names = snapshot.queues.map((q) => q.name);
    this.leaves = names.filter((name) => !names.some((other) => other.startsWith(`${name}.`)));
  }

  setTime(): void {}

  submit(job: JobSpec): void {
    this.pending.push({ spec: job, remaining: job.tasks[0].count });
  }

  finishTask(task: number): void {
    const run = this.running.get(task)!;
    this.release(run.node, run.request, 1);
    this.running.delete(task);
  }

  preemptTask(task: number): void {
    this.finishTask(task);
  }

  private fits(node: number, request: ResourceAmounts, gpuTypes?: string[]): boolean {
    const { spec, free } = this.nodes[node];
    if (gpuTypes && gpuTypes.length > 0 && (request.gpu ?? 0) > 0 && !gpuTypes.includes(spec.gpuType ?? "")) return false;
    return Object.entries(request).every(([dim, amount]) => (free[dim] ?? 0) >= amount);
  }

  private release(node: number, request: ResourceAmounts, sign: number): void {
    const free = this.nodes[node].free;
    for (const [dim, amount] of Object.entries(request)) free[dim] = (free[dim] ?? 0) + sign * amount;
  }

  schedule(): SimDecision {
    const decision: SimDecision = { placements: [], preemptions: [], pending: [] };
    for (const job of this.pending) {
      const group = job.spec.tasks[0];
      const chosen: number[] = [];
      for (let t = 0; t < job.remaining; t++) {
        const node = this.nodes.findIndex((_, n) => this.fits(n, group.request, group.gpuTypes));
        if (node < 0) break;
        this.release(node, group.request, -1);
        chosen.push(node);
      }
      if (job.spec.gang && chosen.length < job.remaining) {
        for (const node of chosen) this.release(node, group.request, 1);
        decision.pending.push({ job: job.spec.name, reason: "gang does not fit" });
        continue;
      }
      for (const node of chosen) {
        const task = this.nextTask++;
        this.running.set(task, { node, request: group.request, queue: job.spec.queue! });
        decision.placements.push({ job: job.spec.name, node: this.nodes[node].spec.name, request: { ...group.request }, task });
      }
      job.remaining -= chosen.length;
      if (job.remaining > 0) decision.pending.push({ job: job.spec.name, reason: "no node fits" });
    }
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i].remaining === 0) this.pending.splice(i, 1);
    return decision;
  }

  shares(): SimQueueShare[] {
    const usage = new Map<string, number>();
    for (const run of this.running.values()) usage.set(run.queue, (usage.get(run.queue) ?? 0) + (run.request.gpu ?? 0));
    return this.leaves.map((name) => ({
      name,
      weight: 1,
      fairShare: {},
      steadyFairShare: {},
      usage: { gpu: usage.get(name) ?? 0 },
      demand: { gpu: usage.get(name) ?? 0 },
    }));
  }
}

/** Builds a first-come first-served scheduler; the what-if worker loads this by module URL. */
export function createScheduler(snapshot: Snapshot): SimScheduler {
  return new FifoScheduler(snapshot);
}
