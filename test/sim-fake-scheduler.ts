/**
 * A small first-fit scheduler for testing the simulator's event loop alone: FIFO over jobs,
 * gangs all-or-nothing, fair share split equally among active leaf queues, and an optional
 * scripted preemption plan. It is test scaffolding, not a model of fairsched's policies.
 */
import type { JobSpec, NodeSpec, Snapshot } from "../src/model/types.js";
import type { SimDecision, SimQueueShare, SimScheduler } from "../src/sim/types.js";

interface FakeTask {
  id: number;
  job: string;
  node: string;
  gpus: number;
}

export class FakeScheduler implements SimScheduler {
  readonly nodes: (NodeSpec & { free: number })[];
  readonly leafQueues: string[];
  readonly pending: { spec: JobSpec; count: number }[] = [];
  readonly running = new Map<number, FakeTask>();
  readonly calls: string[] = [];
  time = 0;
  private nextTask = 1;
  /** Returns a plan of task ids to preempt before each pass, or nothing. */
  planPreemption?: (scheduler: FakeScheduler) => number[];

  constructor(snapshot: Snapshot) {
    this.nodes = snapshot.nodes.map((node) => ({ ...node, free: node.capacity.gpu ?? 0 }));
    const names = snapshot.queues.map((queue) => queue.name);
    this.leafQueues = names.filter((name) => !names.some((other) => other.startsWith(`${name}.`)));
  }

  setTime(seconds: number): void {
    this.time = seconds;
  }

  submit(job: JobSpec): void {
    this.calls.push(`submit ${job.name}`);
    this.pending.push({ spec: job, count: job.tasks[0].count });
  }

  finishTask(task: number): void {
    const running = this.running.get(task);
    if (!running) throw new Error(`finishTask of unknown task ${task}`);
    this.calls.push(`finish ${running.job}`);
    this.release(running);
  }

  preemptTask(task: number): void {
    const running = this.running.get(task);
    if (!running) throw new Error(`preemptTask of unknown task ${task}`);
    this.calls.push(`preempt ${running.job}`);
    this.release(running);
    const entry = this.pending.find((pending) => pending.spec.name === running.job);
    if (entry) entry.count += 1;
    else {
      const spec = this.specs.get(running.job)!;
      this.pending.push({ spec, count: 1 });
    }
  }

  private readonly specs = new Map<string, JobSpec>();

  addNode(node: NodeSpec): void {
    this.nodes.push({ ...node, free: node.capacity.gpu ?? 0 });
  }

  removeNode(name: string): void {
    const index = this.nodes.findIndex((node) => node.name === name);
    if ([...this.running.values()].some((task) => task.node === name)) throw new Error(`removeNode ${name} with running tasks`);
    this.nodes.splice(index, 1);
  }

  schedule(): SimDecision {
    const decision: SimDecision = { placements: [], preemptions: [], pending: [] };
    for (const task of this.planPreemption?.(this) ?? []) {
      const running = this.running.get(task);
      if (running) decision.preemptions.push({ job: running.job, node: running.node, task, reason: "scripted" });
    }

    for (const entry of [...this.pending]) {
      const request = entry.spec.tasks[0].request;
      const gpus = request.gpu ?? 0;
      const types = entry.spec.tasks[0].gpuTypes;
      const chosen: (NodeSpec & { free: number })[] = [];
      const free = new Map(this.nodes.map((node) => [node.name, node.free]));
      for (let i = 0; i < entry.count; i++) {
        const node = this.nodes.find((candidate) => free.get(candidate.name)! >= gpus && (!types || types.includes(candidate.gpuType ?? "")));
        if (!node) break;
        free.set(node.name, free.get(node.name)! - gpus);
        chosen.push(node);
      }
      if (chosen.length === 0 || (entry.spec.gang && chosen.length < entry.count)) {
        decision.pending.push({ job: entry.spec.name, reason: "no node fits" });
        continue;
      }
      this.specs.set(entry.spec.name, entry.spec);
      for (const node of chosen) {
        node.free -= gpus;
        const task: FakeTask = { id: this.nextTask++, job: entry.spec.name, node: node.name, gpus };
        this.running.set(task.id, task);
        decision.placements.push({ job: task.job, node: node.name, request: { ...request }, task: task.id, gpuType: node.gpuType });
      }
      entry.count -= chosen.length;
      if (entry.count === 0) this.pending.splice(this.pending.indexOf(entry), 1);
      else decision.pending.push({ job: entry.spec.name, reason: "no node fits" });
    }
    return decision;
  }

  shares(): SimQueueShare[] {
    const usage = new Map<string, number>();
    const demand = new Map<string, number>();
    const queueOf = (job: string) => this.specs.get(job)?.queue ?? this.pending.find((p) => p.spec.name === job)?.spec.queue ?? "";
    for (const task of this.running.values()) {
      const queue = queueOf(task.job);
      usage.set(queue, (usage.get(queue) ?? 0) + task.gpus);
      demand.set(queue, (demand.get(queue) ?? 0) + task.gpus);
    }
    for (const entry of this.pending) {
      const queue = entry.spec.queue ?? "";
      demand.set(queue, (demand.get(queue) ?? 0) + entry.count * (entry.spec.tasks[0].request.gpu ?? 0));
    }
    const cluster = this.nodes.reduce((total, node) => total + (node.capacity.gpu ?? 0), 0);
    const active = this.leafQueues.filter((name) => (demand.get(name) ?? 0) > 0);
    return this.leafQueues.map((name) => ({
      name,
      weight: 1,
      fairShare: { gpu: active.includes(name) ? cluster / active.length : 0 },
      steadyFairShare: { gpu: cluster / this.leafQueues.length },
      usage: { gpu: usage.get(name) ?? 0 },
      demand: { gpu: demand.get(name) ?? 0 },
    }));
  }

  private release(task: FakeTask): void {
    this.running.delete(task.id);
    this.nodes.find((node) => node.name === task.node)!.free += task.gpus;
  }
}
