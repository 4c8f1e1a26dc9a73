/**
 * A what-if sweep: every scenario of a `--vary` product simulated in a worker pool over one
 * shared copy of the trace and cluster.
 */
import { availableParallelism } from "node:os";
import type { QueueSpec } from "../model/types.js";
import type { Metrics } from "../sim/metrics.js";
import type { SimulationOptions } from "../sim/options.js";
import type { SimTrace } from "../sim/types.js";
import { WhatIfPool, type TaskOutcome } from "./pool.js";
import type { Scenario } from "./scenarios.js";
import type { SharedCluster, SharedClusterHandle, SharedTrace, SharedTraceHandle } from "./shared-trace.js";

/** Shared inputs that each worker of a sweep receives once. */
export interface SweepWorkerData {
  trace: SharedTraceHandle;
  cluster: SharedClusterHandle;
}

/** The settings every scenario starts from before its own changes apply. */
export interface BaseRun {
  /** Queues given to the simulator (the trace's, or the configuration's). */
  queues: QueueSpec[];
  /** Simulation options; `policy` and `preemption` are the defaults a scenario may change. */
  options: Partial<SimulationOptions>;
  /** Replays only the first `jobLimit` jobs of the trace, in trace order; unset replays all. */
  jobLimit?: number;
  /** URL of a module exporting `createScheduler(snapshot)`; the library's Scheduler by default. */
  schedulerModule: string;
}

export interface ScenarioTask {
  kind: "scenario";
  scenario: Scenario;
  base: BaseRun;
}

/** A worker's result for one scenario. */
export interface ScenarioRun {
  metrics: Metrics;
  /** Reason a guard stopped the run early, or null. */
  stopReason: string | null;
  events: number;
  passes: number;
  /** CPU seconds the worker thread spent on the scenario, where the platform reports it (Linux). */
  cpuSeconds?: number;
}

/** One scenario's outcome in a sweep. */
export interface ScenarioResult {
  scenario: Scenario;
  status: TaskOutcome<ScenarioRun>["status"];
  /** Wall-clock seconds the scenario ran, for finished, failed and timed-out scenarios. */
  seconds?: number;
  error?: string;
  run?: ScenarioRun;
}

export interface SweepOptions {
  trace: SharedTrace;
  cluster: SharedCluster;
  base: BaseRun;
  scenarios: Scenario[];
  /** Worker threads; default `os.availableParallelism()`. */
  workers?: number;
  /** Seconds one scenario may run before it is stopped and reported as timed out; 0 means no limit. */
  timeLimit?: number;
  /** Aborting stops the sweep and keeps the scenarios already finished. */
  signal?: AbortSignal;
  onSettled?: (result: ScenarioResult, settled: number, total: number) => void;
  /** Worker module; default the what-if worker (see `WhatIfPoolOptions.filename`). */
  workerFilename?: string | URL;
}

/** Returns the URL of the module that builds the library's Scheduler for simulations. */
export function defaultSchedulerModule(): string {
  const typescript = import.meta.url.endsWith(".ts");
  return new URL(typescript ? "../sim/core-scheduler.ts" : "../sim/core-scheduler.js", import.meta.url).href;
}

/**
 * Returns the shared trace's first `jobLimit` jobs (all when unset) for the simulator, read in
 * place: `simulate()` materialises each job only when it arrives.
 */
export function traceForSimulation(trace: SharedTrace, jobLimit?: number): SimTrace {
  return trace.limit(jobLimit ?? trace.length);
}

/** Turns a pool outcome into a scenario result. */
export function toScenarioResult(scenario: Scenario, outcome: TaskOutcome<ScenarioRun>): ScenarioResult {
  switch (outcome.status) {
    case "ok":
      return { scenario, status: "ok", seconds: outcome.seconds, run: outcome.result };
    case "cancelled":
      return { scenario, status: "cancelled" };
    default:
      return { scenario, status: outcome.status, seconds: outcome.seconds, error: outcome.error };
  }
}

/**
 * Runs every scenario in a new pool and resolves with one result per scenario, in scenario
 * order. A scenario that throws, exits its worker or exceeds the time limit is reported failed
 * and the others still run.
 */
export async function runSweep(options: SweepOptions): Promise<ScenarioResult[]> {
  const workerData: SweepWorkerData = { trace: options.trace.handle, cluster: options.cluster.handle };
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), options.scenarios.length));
  const pool = new WhatIfPool({
    workers,
    workerData,
    timeLimit: options.timeLimit,
    filename: options.workerFilename,
  });
  const tasks: ScenarioTask[] = options.scenarios.map((scenario) => ({ kind: "scenario", scenario, base: options.base }));
  try {
    const outcomes = await pool.runAll<ScenarioTask, ScenarioRun>(tasks, {
      signal: options.signal,
      onSettled: (outcome, settled, total) =>
        options.onSettled?.(toScenarioResult(options.scenarios[outcome.index], outcome), settled, total),
    });
    return outcomes.map((outcome, index) => toScenarioResult(options.scenarios[index], outcome));
  } finally {
    await pool.destroy();
  }
}
