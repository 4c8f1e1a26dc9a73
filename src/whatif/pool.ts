/**
 * A piscina pool that runs what-if tasks in worker threads, one task per worker at a time. It
 * turns every failure of a single task into a failed outcome instead of a rejected sweep: an
 * exception, a time limit, or a worker that exited.
 *
 * The pool dispatches tasks itself, at most `workers` at once, rather than queueing them all in
 * piscina. Each task travels in an envelope with a shared start flag that the worker sets when
 * its handler begins, so a task's time limit counts neither queueing nor worker start-up.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";

/** The outcome of one task; `index` is the task's position in the list given to `runAll`. */
export type TaskOutcome<R> =
  | { index: number; status: "ok"; result: R; seconds: number }
  | { index: number; status: "failed"; error: string; seconds: number }
  | { index: number; status: "timeout"; error: string; seconds: number }
  | { index: number; status: "cancelled" };

export interface WhatIfPoolOptions {
  /** Worker threads; default `os.availableParallelism()`. */
  workers?: number;
  /**
   * Worker module: a file URL or path whose default export runs one task. Default: the
   * what-if worker next to this file (`worker.js`, or `worker.ts` through tsx when this file
   * runs as TypeScript).
   */
  filename?: string | URL;
  /** Read-only data every worker receives once; `SharedArrayBuffer`s in it are shared, not copied. */
  workerData?: unknown;
  /** Seconds one task may run before its worker is terminated and the task reported as timed out; 0 means no limit. */
  timeLimit?: number;
}

export interface RunAllOptions<R> {
  /** Called as each task settles, in completion order. */
  onSettled?: (outcome: TaskOutcome<R>, settled: number, total: number) => void;
  /** Aborting stops the dispatch: running tasks are terminated, waiting ones reported as cancelled. */
  signal?: AbortSignal;
}

/** `Atomics.waitAsync` (Node 16+), which the ES2022 type library of this build does not declare. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** A task as the pool posts it: the caller's task and a flag the worker sets when it starts. */
export interface TaskEnvelope<T> {
  task: T;
  /** Word 0 becomes 1 when the worker's handler begins. */
  started: Int32Array;
}

/**
 * Wraps a worker module's task handler for this pool: the returned function sets the envelope's
 * start flag, then runs `handler` on the task. Every worker module used with `WhatIfPool` must
 * export its handler wrapped this way.
 */
export function taskHandler<T, R>(handler: (task: T) => R | Promise<R>): (envelope: TaskEnvelope<T>) => R | Promise<R> {
  return (envelope) => {
    Atomics.store(envelope.started, 0, 1);
    Atomics.notify(envelope.started, 0);
    return handler(envelope.task);
  };
}

/** Returns the worker module and the `execArgv` it needs, for a `.ts` or a compiled `.js` host. */
export function defaultWorker(): { filename: string; execArgv: string[] } {
  const typescript = import.meta.url.endsWith(".ts");
  const filename = new URL(typescript ? "./worker.ts" : "./worker.js", import.meta.url).href;
  return { filename, execArgv: typescript ? typescriptExecArgv() : [] };
}

/** Returns `--import tsx` unless the process already loads tsx (then workers inherit it). */
function typescriptExecArgv(): string[] {
  const inherited = process.execArgv.join(" ");
  return /(^|\s)--(import|loader|require)[= ]\S*tsx/.test(inherited) ? [...process.execArgv] : [...process.execArgv, "--import", "tsx"];
}

export class WhatIfPool {
  readonly workers: number;
  readonly timeLimit: number;
  private readonly piscina: Piscina;
  private destroyed = false;

  constructor(options: WhatIfPoolOptions = {}) {
    this.workers = options.workers ?? availableParallelism();
    if (!(Number.isInteger(this.workers) && this.workers >= 1)) {
      throw new RangeError(`workers must be a whole number >= 1, got ${this.workers}`);
    }
    this.timeLimit = options.timeLimit ?? 0;
    if (!(this.timeLimit >= 0)) throw new RangeError(`timeLimit must be >= 0 seconds, got ${this.timeLimit}`);

    let filename: string;
    let execArgv: string[];
    if (options.filename === undefined) {
      ({ filename, execArgv } = defaultWorker());
    } else {
      filename = options.filename instanceof URL ? options.filename.href : options.filename;
      execArgv = /\.[cm]?ts$/.test(filename) ? typescriptExecArgv() : [];
    }
    this.piscina = new Piscina({
      filename,
      execArgv,
      workerData: options.workerData,
      minThreads: this.workers,
      maxThreads: this.workers,
      // Terminated and crashed workers are replaced at once; idle ones live until destroy().
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
    });
    // Piscina emits `error` for a worker that fails outside a task; the task it ran is already rejected.
    this.piscina.on("error", () => {});
  }

  /** Worker threads currently alive, for memory measurements. */
  get threadCount(): number {
    return this.piscina.threads.length;
  }

  /** Runs one task; rejects when it fails (use `runAll` to keep going past failures). */
  run<T, R>(task: T, signal?: AbortSignal): Promise<R> {
    const envelope: TaskEnvelope<T> = { task, started: new Int32Array(new SharedArrayBuffer(4)) };
    return this.piscina.run(envelope, { signal }) as Promise<R>;
  }

  /**
   * Runs every task and resolves with one outcome per task, in task order. Never rejects for a
   * task's failure.
   *
   * 1. Keep up to `workers` tasks in flight, each with its own abort controller.
   *
   * 2. When a task settles, record its outcome and start the next one.
   *
   * 3. When `signal` aborts, terminate the tasks in flight and mark the rest cancelled; the
   *    outcomes already recorded are kept.
   */
  async runAll<T, R>(tasks: readonly T[], options: RunAllOptions<R> = {}): Promise<TaskOutcome<R>[]> {
    const outcomes: TaskOutcome<R>[] = new Array(tasks.length);
    const inFlight = new Set<AbortController>();
    let next = 0;
    let settled = 0;

    const settle = (outcome: TaskOutcome<R>) => {
      outcomes[outcome.index] = outcome;
      settled++;
      options.onSettled?.(outcome, settled, tasks.length);
    };

    const onAbort = () => {
      for (const controller of inFlight) controller.abort(new Error("sweep cancelled"));
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const lane = async (): Promise<void> => {
      while (next < tasks.length && !options.signal?.aborted) {
        const index = next++;
        const controller = new AbortController();
        inFlight.add(controller);
        const envelope: TaskEnvelope<T> = { task: tasks[index], started: new Int32Array(new SharedArrayBuffer(4)) };
        let timedOut = false;
        let finished = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let started = performance.now();

        // The clock starts when the worker's handler sets the start flag. The waiter is released
        // in `finally` if the task never started, so no promise is left pending.
        const startClock = () => {
          if (finished) return;
          started = performance.now();
          if (this.timeLimit > 0) {
            timer = setTimeout(() => {
              timedOut = true;
              controller.abort(new Error("time limit"));
            }, this.timeLimit * 1000);
          }
        };
        const wait = waitAsync(envelope.started, 0, 0);
        if (wait.async) void wait.value.then(startClock);
        else startClock();

        try {
          const result = (await this.piscina.run(envelope, { signal: controller.signal })) as R;
          settle({ index, status: "ok", result, seconds: (performance.now() - started) / 1000 });
        } catch (error) {
          const seconds = (performance.now() - started) / 1000;
          if (timedOut) {
            settle({ index, status: "timeout", error: `timed out after ${this.timeLimit} s`, seconds });
          } else if (options.signal?.aborted) {
            outcomes[index] = { index, status: "cancelled" };
          } else {
            settle({ index, status: "failed", error: describeError(error), seconds });
          }
        } finally {
          finished = true;
          clearTimeout(timer);
          Atomics.store(envelope.started, 0, 1);
          Atomics.notify(envelope.started, 0);
          inFlight.delete(controller);
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: Math.min(this.workers, tasks.length) }, lane));
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    for (let index = 0; index < tasks.length; index++) {
      outcomes[index] ??= { index, status: "cancelled" };
    }
    return outcomes;
  }

  /** Terminates every worker; safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina.destroy();
  }
}

/** Formats a task's error as one line: its name and message, without the worker's stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}
