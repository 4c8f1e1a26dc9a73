/**
 * The what-if worker: piscina loads this module in each worker thread and calls its default
 * export once per task. The trace and cluster arrive once, as `SharedArrayBuffer`s in
 * `workerData`, and are read in place. Each task builds its own scheduler and simulation state,
 * which only this thread uses.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { workerData } from "node:worker_threads";
import type { NodeSpec } from "../model/types.js";
import { computeMetrics } from "../sim/metrics.js";
import { simulate } from "../sim/simulator.js";
import type { SchedulerFactory } from "../sim/types.js";
import { runCandidate, type CandidateTask } from "./evaluate.js";
import { taskHandler } from "./pool.js";
import { applyScenario } from "./scenarios.js";
import { SharedCluster, SharedTrace } from "./shared-trace.js";
import { traceForSimulation, type ScenarioRun, type ScenarioTask, type SweepWorkerData } from "./sweep.js";

export type WorkerTask = ScenarioTask | CandidateTask;

const shared = workerData as Partial<SweepWorkerData> | undefined;
const trace = shared?.trace ? new SharedTrace(shared.trace) : undefined;
const cluster = shared?.cluster ? new SharedCluster(shared.cluster) : undefined;

/** The cluster's nodes as objects, built on this thread's first task; node lists are small. */
let baseNodes: NodeSpec[] | undefined;

const factories = new Map<string, Promise<SchedulerFactory>>();

/**
 * Imports a module by URL. A `.ts` module goes through `require`: on Node 20, `--import tsx` in a
 * worker's `execArgv` installs tsx's CommonJS hooks but not its ESM hooks, so `import()` of a
 * `.ts` file fails there.
 */
async function importModule(moduleUrl: string): Promise<unknown> {
  if (/\.[cm]?ts$/.test(moduleUrl)) return createRequire(import.meta.url)(fileURLToPath(moduleUrl));
  return import(moduleUrl);
}

/** Imports `createScheduler` from `moduleUrl` once per thread. */
export function loadSchedulerFactory(moduleUrl: string): Promise<SchedulerFactory> {
  let factory = factories.get(moduleUrl);
  if (!factory) {
    factory = importModule(moduleUrl).then((loaded) => {
      const module = loaded as { createScheduler?: SchedulerFactory };
      if (typeof module.createScheduler !== "function") {
        throw new Error(`scheduler module ${moduleUrl} does not export a createScheduler(snapshot) function`);
      }
      return module.createScheduler;
    });
    factories.set(moduleUrl, factory);
  }
  return factory;
}

/**
 * Returns the CPU seconds (user + system) this thread has used, from Linux's
 * `/proc/thread-self/stat` in clock ticks of 1/100 s; undefined elsewhere.
 */
function threadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs one scenario of a sweep over the shared trace and cluster. */
async function runScenarioTask(task: ScenarioTask): Promise<ScenarioRun> {
  const cpuAtStart = threadCpuSeconds();
  if (!trace || !cluster) throw new Error("the what-if worker started without a shared trace and cluster in workerData");
  baseNodes ??= cluster.toCluster().nodes;
  const { base } = task;
  const applied = applyScenario(
    { queues: base.queues, nodes: baseNodes, policy: base.options.policy, preemption: base.options.preemption },
    task.scenario,
  );
  const createScheduler = await loadSchedulerFactory(base.schedulerModule);
  const result = simulate(
    {
      trace: traceForSimulation(trace, base.jobLimit),
      cluster: { nodes: applied.nodes, skipped: cluster.header.skipped, notes: cluster.header.notes },
      queues: applied.queues,
    },
    createScheduler,
    { ...base.options, policy: applied.policy, preemption: applied.preemption ?? false },
  );
  const metrics = computeMetrics(result);
  const cpuAtEnd = threadCpuSeconds();
  const run: ScenarioRun = { metrics, stopReason: result.stopReason, events: result.events, passes: result.passes };
  if (cpuAtStart !== undefined && cpuAtEnd !== undefined) run.cpuSeconds = cpuAtEnd - cpuAtStart;
  return run;
}

async function run(task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case "scenario":
      return runScenarioTask(task);
    case "candidate":
      return runCandidate(task, loadSchedulerFactory);
  }
}

export default taskHandler(run);
