/**
 * Worker for the memory part of `bench/whatif.ts`. Each task is one mode:
 *   idle  returns at once (a worker's fixed overhead)
 *   scan  reads every job of the shared trace in place, one at a time, keeping none
 *   copy  materialises the whole trace as objects and keeps it, as a worker without shared
 *         inputs would hold it
 *   sim   simulates the whole shared trace on the shared cluster, as a sweep's scenario does,
 *         and records the most live heap seen during the run
 *
 * Every task first waits at a barrier until `parties` tasks have started, so that N tasks occupy
 * N distinct workers. It then collects garbage and returns its thread's V8 heap in use and the
 * most live heap seen during the task, in bytes. The `sim` mode samples the live heap after a GC
 * at every progress report of the simulation.
 */
import { setFlagsFromString, getHeapStatistics } from "node:v8";
import { runInNewContext } from "node:vm";
import { workerData } from "node:worker_threads";
import { createCoreScheduler } from "../src/sim/core-scheduler.js";
import { simulate } from "../src/sim/simulator.js";
import type { TraceJob } from "../src/traces/types.js";
import { taskHandler } from "../src/whatif/pool.js";
import { SharedCluster, SharedTrace, type SharedClusterHandle, type SharedTraceHandle } from "../src/whatif/shared-trace.js";
import { traceForSimulation } from "../src/whatif/sweep.js";

const data = workerData as { trace?: SharedTraceHandle; cluster?: SharedClusterHandle } | undefined;
const trace = data?.trace ? new SharedTrace(data.trace) : undefined;
const cluster = data?.cluster ? new SharedCluster(data.cluster) : undefined;
const kept: TraceJob[][] = [];

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export interface MemoryTask {
  mode: "idle" | "scan" | "copy" | "sim";
  /** Word 0 counts tasks that started; the barrier opens when it reaches `parties`. */
  barrier: Int32Array;
  parties: number;
}

/** Heap figures of one task, in bytes: in use after a final GC, and the most live heap seen during the task. */
export interface MemoryReport {
  heap: number;
  peakHeap: number;
}

/** Simulates the whole trace and returns the most live heap seen, in bytes. */
function simulatePeakHeap(shared: SharedTrace, nodes: SharedCluster): number {
  let peak = 0;
  const sample = () => {
    gc();
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  };
  simulate({ trace: traceForSimulation(shared), cluster: nodes.toCluster() }, createCoreScheduler, {}, { onProgress: sample });
  return peak;
}

function run(task: MemoryTask): MemoryReport {
  const started = Atomics.add(task.barrier, 0, 1) + 1;
  if (started === task.parties) Atomics.notify(task.barrier, 0);
  for (let seen = started; seen < task.parties; seen = Atomics.load(task.barrier, 0)) Atomics.wait(task.barrier, 0, seen);

  if (task.mode === "scan" && trace) {
    let gpus = 0;
    for (let i = 0; i < trace.length; i++) gpus += trace.job(i).request.gpu ?? 0;
    if (gpus < 0) throw new Error("unreachable: GPU counts are non-negative");
  }
  if (task.mode === "copy" && trace) kept.push(trace.toTrace().jobs);
  let peakHeap = 0;
  if (task.mode === "sim" && trace && cluster) peakHeap = simulatePeakHeap(trace, cluster);
  gc();
  const heap = getHeapStatistics().used_heap_size;
  return { heap, peakHeap: Math.max(peakHeap, heap) };
}

export default taskHandler(run);
