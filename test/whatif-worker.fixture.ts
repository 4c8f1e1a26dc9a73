/**
 * A worker for the pool tests: each task names an operation that succeeds, throws, exits the
 * thread, never returns, or reads the shared trace from `workerData`.
 */
import { workerData } from "node:worker_threads";
import { taskHandler } from "../src/whatif/pool.js";
import { SharedTrace, type SharedTraceHandle } from "../src/whatif/shared-trace.js";

export type FixtureTask =
  | { op: "echo"; value: number }
  | { op: "throw"; message: string }
  | { op: "exit" }
  | { op: "spin" }
  | { op: "block"; flags: Int32Array }
  | { op: "job"; index: number }
  | { op: "isShared" };

const data = workerData as { trace?: SharedTraceHandle } | undefined;
const trace = data?.trace ? new SharedTrace(data.trace) : undefined;

function run(task: FixtureTask): unknown {
  switch (task.op) {
    case "echo":
      return task.value;
    case "throw":
      throw new Error(task.message);
    case "exit":
      process.exit(3);
      break;
    case "spin":
      for (;;) {
        // Never returns: only a time limit or an abort ends this task.
      }
    case "block":
      // Signals that the task started (flags[0]), then waits until flags[1] becomes non-zero.
      Atomics.store(task.flags, 0, 1);
      Atomics.notify(task.flags, 0);
      Atomics.wait(task.flags, 1, 0);
      return "released";
    case "job":
      return trace!.job(task.index);
    case "isShared":
      return trace!.handle.buffer instanceof SharedArrayBuffer;
  }
}

export default taskHandler(run);
