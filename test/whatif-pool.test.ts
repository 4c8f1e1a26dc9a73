import { afterAll, describe, expect, it } from "vitest";
import { WhatIfPool, type TaskOutcome } from "../src/whatif/pool.js";
import { shareTrace } from "../src/whatif/shared-trace.js";
import type { FixtureTask } from "./whatif-worker.fixture.js";
import type { Trace } from "../src/traces/types.js";

const fixture = new URL("./whatif-worker.fixture.ts", import.meta.url);

const trace: Trace = {
  jobs: [
    { name: "j0", queue: "root.a", user: "u", submitTime: 0, taskCount: 2, request: { gpu: 1 }, gang: true, duration: 10 },
    { name: "j1", queue: "root.b", user: "u", submitTime: 3, taskCount: 1, request: { gpu: 4 }, gang: false, duration: 20 },
  ],
  queues: [],
  skipped: {},
  adjusted: {},
  notes: [],
};

describe("WhatIfPool with failing tasks", () => {
  const pool = new WhatIfPool({ filename: fixture, workers: 2, timeLimit: 2 });
  afterAll(() => pool.destroy());

  const tasks: FixtureTask[] = [
    { op: "echo", value: 1 },
    { op: "throw", message: "scenario 1 is broken" },
    { op: "echo", value: 2 },
    { op: "exit" },
    { op: "echo", value: 3 },
    { op: "spin" },
    { op: "echo", value: 4 },
  ];
  const settledOrder: number[] = [];
  const run = pool.runAll<FixtureTask, number>(tasks, { onSettled: (outcome) => settledOrder.push(outcome.index) });

  it("returns every other result", async () => {
    const outcomes = await run;
    const ok = outcomes.filter((o): o is Extract<TaskOutcome<number>, { status: "ok" }> => o.status === "ok");
    expect(ok.map((o) => [o.index, o.result])).toEqual([
      [0, 1],
      [2, 2],
      [4, 3],
      [6, 4],
    ]);
  });

  it("reports the thrown error", async () => {
    const outcome = (await run)[1];
    expect(outcome).toMatchObject({ status: "failed", error: "scenario 1 is broken" });
  });

  it("reports the exited worker", async () => {
    const outcome = (await run)[3];
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/exited with code: 3/) });
  });

  it("reports the timed-out task", async () => {
    const outcome = (await run)[5];
    expect(outcome).toMatchObject({ status: "timeout", error: "timed out after 2 s" });
  });

  it("calls onSettled once per task", async () => {
    await run;
    expect([...settledOrder].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("runs again after the failures", async () => {
    await run;
    expect(await pool.run({ op: "echo", value: 9 })).toBe(9);
  });
});

describe("WhatIfPool cancelled", () => {
  it("keeps finished results and cancels the rest", async () => {
    const pool = new WhatIfPool({ filename: fixture, workers: 1 });
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const controller = new AbortController();
    const tasks: FixtureTask[] = [{ op: "echo", value: 1 }, { op: "block", flags }, { op: "echo", value: 2 }];
    const run = pool.runAll<FixtureTask, unknown>(tasks, { signal: controller.signal });

    // Abort only once the blocking task has started, as a Ctrl-C in the middle of a sweep.
    const started = Atomics.waitAsync(flags, 0, 0);
    if (started.async) await started.value;
    controller.abort();
    const outcomes = await run;
    await pool.destroy();

    expect(outcomes.map((o) => o.status)).toEqual(["ok", "cancelled", "cancelled"]);
  });
});

describe("WhatIfPool shared inputs", () => {
  const shared = shareTrace(trace);
  const pool = new WhatIfPool({ filename: fixture, workers: 2, workerData: { trace: shared.handle } });
  afterAll(() => pool.destroy());

  it("materialises a job in the worker", async () => {
    expect(await pool.run({ op: "job", index: 1 })).toEqual(trace.jobs[1]);
  });

  it("receives a SharedArrayBuffer", async () => {
    expect(await pool.run({ op: "isShared" })).toBe(true);
  });

  it("sees writes made after start", async () => {
    await pool.run({ op: "job", index: 0 });
    shared.taskCounts[0] = 7;
    const job = (await pool.run({ op: "job", index: 0 })) as { taskCount: number };
    expect(job.taskCount).toBe(7);
  });
});
