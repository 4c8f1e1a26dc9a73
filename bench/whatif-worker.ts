/**
 * Worker for the memory part of `bench/whatif.ts`. Each task is one mode:
 *   idle  returns at once (a worker's fixed overhead)
 *   scan  reads every job of the shared trace in place, one at a time, keeping none
 *   copy  materialises the whole trace as objects and keeps it, as a worker without shared
 *         inputs would hold it
 *
 * Every task first waits at a barrier until `parties` tasks have started, so that N tasks occupy
 * N distinct workers, then collects garbage and returns its thread's V8 heap in use (bytes).
 */
import { setFlagsFromString, getHeapStatistics } from "node:v8";
import { runInNewContext } from "node:vm";
import { workerData } from "node:worker_threads";
import type { TraceJob } from "../src/traces/types.js";
import { taskHandler } from "../src/whatif/pool.js";
import { SharedTrace, type SharedTraceHandle } from "../src/whatif/shared-trace.js";

const data = workerData as { trace?: SharedTraceHandle } | undefined;
const trace = data?.trace ? new SharedTrace(data.trace) : undefined;
const kept: TraceJob[][] = [];

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export interface MemoryTask {
  mode: "idle" | "scan" | "copy";
  /** Word 0 counts tasks that started; the barrier opens when it reaches `parties`. */
  barrier: Int32Array;
  parties: number;
}

function run(task: MemoryTask): number {
  const started = Atomics.add(task.barrier, 0, 1) + 1;
  if (started === task.parties) Atomics.notify(task.barrier, 0);
  for (let seen = started; seen < task.parties; seen = Atomics.load(task.barrier, 0)) Atomics.wait(task.barrier, 0, seen);

  if (task.mode === "scan" && trace) {
    let gpus = 0;
    for (let i = 0; i < trace.length; i++) gpus += trace.job(i).request.gpu ?? 0;
    if (gpus < 0) throw new Error("unreachable: GPU counts are non-negative");
  }
  if (task.mode === "copy" && trace) kept.push(trace.toTrace().jobs);
  gc();
  return getHeapStatistics().used_heap_size;
}

export default taskHandler(run);
