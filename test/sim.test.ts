import { describe, expect, it } from "vitest";
import type { NodeSpec } from "../src/model/types.js";
import { computeMetrics, distribution, finishTimeFairnessOf, jainIndex, nearestRank } from "../src/sim/metrics.js";
import { simulate, type SimulationInput } from "../src/sim/simulator.js";
import type { SimulationOptions } from "../src/sim/options.js";
import type { Cluster, Trace, TraceJob } from "../src/traces/types.js";
import { FakeScheduler } from "./sim-fake-scheduler.js";

function job(name: string, fields: Partial<TraceJob> = {}): TraceJob {
  return {
    name,
    queue: "root.a",
    user: "u",
    submitTime: 0,
    taskCount: 1,
    request: { gpu: 1, cpu: 0, memory: 0 },
    gang: false,
    duration: 100,
    ...fields,
  };
}

function node(name: string, gpus: number, gpuType = "V100"): NodeSpec {
  return { name, capacity: { gpu: gpus, cpu: 64, memory: 65536 }, gpuType };
}

function input(jobs: TraceJob[], nodes: NodeSpec[], queues = ["root.a", "root.b"]): SimulationInput {
  const trace: Trace = { jobs, queues: queues.map((name) => ({ name })), skipped: {}, adjusted: {}, notes: [] };
  const cluster: Cluster = { nodes, skipped: {}, notes: [] };
  return { trace, cluster };
}

function run(simulationInput: SimulationInput, options: Partial<SimulationOptions> = {}, setup?: (fake: FakeScheduler) => void) {
  let fake: FakeScheduler | undefined;
  const result = simulate(
    simulationInput,
    (snapshot) => {
      fake = new FakeScheduler(snapshot);
      setup?.(fake);
      return fake;
    },
    options,
  );
  return { result, fake: fake!, metrics: computeMetrics(result) };
}

describe("simulator event loop", () => {
  it("single job runs for its duration", () => {
    const { result } = run(input([job("j1", { submitTime: 10 })], [node("n1", 4)]));
    expect(result.jobs[0].startTime).toBe(10);
    expect(result.jobs[0].finishTime).toBe(110);
  });

  it("second job waits for the GPU", () => {
    const { result, metrics } = run(input([job("j1"), job("j2", { submitTime: 5 })], [node("n1", 1)]));
    expect(result.jobs[1].startTime).toBe(100);
    expect(result.jobs[1].finishTime).toBe(200);
    expect(metrics.queueingDelay.max).toBe(95);
    expect(metrics.jct.mean).toBe((100 + 195) / 2);
    expect(metrics.makespan).toBe(200);
  });

  it("duration follows the node's GPU type", () => {
    const slow = job("j1", { durationByGpuType: { V100: 100, K80: 400 } });
    const { result, metrics } = run(input([slow], [node("k", 1, "K80")]));
    expect(result.jobs[0].finishTime).toBe(400);
    expect(result.jobs[0].gpuType).toBe("K80");
    expect(metrics.byGpuType.map((group) => group.gpuType)).toEqual(["K80"]);
  });

  it("gang members finish together on the slowest type", () => {
    const gang = job("g", { taskCount: 2, gang: true, durationByGpuType: { V100: 100, K80: 300 } });
    const { result, fake } = run(input([gang], [node("v", 1, "V100"), node("k", 1, "K80")]));
    expect(result.jobs[0].finishTime).toBe(300);
    expect(result.jobs[0].gpuType).toBe("mixed");
    expect(fake.calls.filter((call) => call === "finish g")).toHaveLength(2);
  });

  it("non-gang tasks finish independently", () => {
    const spread = job("s", { taskCount: 2, durationByGpuType: { V100: 100, K80: 300 } });
    const { result } = run(input([spread], [node("v", 1, "V100"), node("k", 1, "K80")]));
    expect(result.jobs[0].finishTime).toBe(300);
    expect(result.conservation.gpuSecondsByTasks).toBe(400);
  });

  it("job larger than the cluster stays unfinished with a reason", () => {
    const { result, metrics } = run(input([job("big", { taskCount: 4, gang: true }), job("small")], [node("n1", 2)]));
    expect(result.jobs[0].finishTime).toBeNull();
    expect(result.jobs[0].unfinishedReason).toBe("no node fits");
    expect(result.jobs[1].finishTime).toBe(100);
    expect(metrics.jobs.unfinishedByReason).toEqual({ "no node fits": 1 });
  });

  it("event guard stops the run with a message", () => {
    const jobs = [job("j1"), job("j2", { submitTime: 1 }), job("j3", { submitTime: 2 })];
    const { result } = run(input(jobs, [node("n1", 8)]), { maxEvents: 2 });
    expect(result.stopReason).toMatch(/after 2 events, the maximum/);
    expect(result.jobs[2].unfinishedReason).toBe(result.stopReason);
    expect(result.jobs[0].unfinishedReason).toBe("still running when the simulation stopped");
  });

  it("time guard stops before later events", () => {
    const { result } = run(input([job("j1"), job("j2", { submitTime: 1000 })], [node("n1", 8)]), { maxTime: 500 });
    expect(result.stopReason).toMatch(/past the maximum simulated time of 500 s/);
    expect(result.jobs[0].finishTime).toBe(100);
    expect(result.jobs[1].finishTime).toBeNull();
  });
});

describe("simulator preemption", () => {
  /** Preempts job `victim`'s tasks once, at the first pass at or after `at` seconds. */
  function preemptOnce(victim: string, at: number) {
    let done = false;
    return (fake: FakeScheduler) => {
      fake.planPreemption = (scheduler) => {
        if (done || scheduler.time < at) return [];
        const tasks = [...scheduler.running.values()].filter((task) => task.job === victim).map((task) => task.id);
        if (tasks.length > 0) done = true;
        return tasks;
      };
    };
  }

  const jobs = () => [job("long", { duration: 1000 }), job("late", { submitTime: 250, queue: "root.b", duration: 50 })];

  it("preempted job loses work since its start", () => {
    const { result, metrics } = run(input(jobs(), [node("n1", 1)]), { preemption: true }, preemptOnce("long", 250));
    expect(result.jobs[0].preemptions).toBe(1);
    expect(result.jobs[0].lostGpuSeconds).toBe(250);
    expect(result.jobs[1].finishTime).toBe(300);
    expect(result.jobs[0].finishTime).toBe(1300);
    expect(metrics.preemption.lostGpuHours).toBeCloseTo(250 / 3600, 12);
  });

  it("checkpoints keep work up to the last one", () => {
    const { result } = run(input(jobs(), [node("n1", 1)]), { preemption: true, checkpointInterval: 100 }, preemptOnce("long", 250));
    expect(result.jobs[0].lostGpuSeconds).toBe(50);
    expect(result.jobs[0].finishTime).toBe(300 + 800);
  });

  it("preemption off ignores plans", () => {
    const { result } = run(input(jobs(), [node("n1", 1)]), { preemption: false }, preemptOnce("long", 250));
    expect(result.jobs[0].preemptions).toBe(0);
    expect(result.jobs[0].finishTime).toBe(1000);
  });

  it("wake-ups reach the longest preemption timeout", () => {
    const simulationInput = input(jobs(), [node("n1", 1)]);
    simulationInput.queues = [{ name: "root.a" }, { name: "root.b", fairSharePreemptionTimeout: 300 }];
    // Queues without a timeout get 60 s, so wake-ups come every 60 s, six of them to cover 300 s.
    const { result } = run(simulationInput, { preemption: true }, preemptOnce("long", 250 + 6 * 60));
    expect(result.jobs[0].preemptions).toBe(1);
    expect(result.jobs[1].startTime).toBe(250 + 6 * 60);
  });

  it("idle wake-ups stop after the longest timeout", () => {
    const stuck = job("stuck", { taskCount: 4, gang: true, queue: "root.b" });
    const { result } = run(input([stuck], [node("n1", 2)]), { preemption: true, preemptionTimeout: 100 });
    expect(result.endTime).toBe(200);
    expect(result.jobs[0].unfinishedReason).toBe("no node fits");
  });

  it("preempting one gang member stops the whole gang", () => {
    const gang = job("g", { taskCount: 2, gang: true, duration: 1000 });
    const late = job("late", { submitTime: 100, queue: "root.b", duration: 50 });
    let done = false;
    const { result, fake } = run(input([gang, late], [node("n1", 2)]), { preemption: true }, (scheduler) => {
      scheduler.planPreemption = (s) => {
        if (done || s.time < 100) return [];
        done = true;
        return [[...s.running.values()].find((task) => task.job === "g")!.id];
      };
    });
    expect(fake.calls.filter((call) => call === "preempt g")).toHaveLength(2);
    expect(result.jobs[0].preemptedTasks).toBe(2);
    expect(result.jobs[0].lostGpuSeconds).toBe(200);
    expect(result.jobs[0].finishTime).toBe(150 + 1000);
  });
});

describe("simulator node events", () => {
  it("removed node stops its tasks, which rerun elsewhere", () => {
    const simulationInput = input([job("j1", { duration: 500 })], [node("n1", 1), node("n2", 1)]);
    simulationInput.nodeEvents = [{ time: 100, kind: "remove", node: "n1" }];
    const { result } = run(simulationInput);
    expect(result.jobs[0].lostGpuSeconds).toBe(100);
    expect(result.jobs[0].finishTime).toBe(600);
  });

  it("added node takes waiting work", () => {
    const simulationInput = input([job("j1"), job("j2")], [node("n1", 1)]);
    simulationInput.nodeEvents = [{ time: 30, kind: "add", node: node("n2", 1) }];
    const { result } = run(simulationInput);
    expect(result.jobs[1].startTime).toBe(30);
  });
});

describe("simulator bookkeeping", () => {
  /** Builds a seeded mix of jobs on a small heterogeneous cluster. */
  function mixedInput(seed: number): SimulationInput {
    let state = seed;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const jobs: TraceJob[] = [];
    for (let i = 0; i < 300; i++) {
      const tasks = [1, 1, 1, 2, 4, 8][Math.floor(random() * 6)];
      const duration = Math.round(10 + random() * 2000);
      jobs.push(
        job(`j${i}`, {
          queue: random() < 0.5 ? "root.a" : "root.b",
          submitTime: Math.round(i * 40 * random()),
          taskCount: tasks,
          gang: tasks > 1,
          duration,
          durationByGpuType: { V100: duration, K80: duration * 3 },
        }),
      );
    }
    jobs.sort((a, b) => a.submitTime - b.submitTime || (a.name < b.name ? -1 : 1));
    return input(jobs, [node("v0", 4), node("v1", 4), node("k0", 4, "K80"), node("k1", 4, "K80")]);
  }

  it("GPU-seconds agree per task and over time", () => {
    const { result } = run(mixedInput(7), { sampleInterval: 300 });
    expect(result.conservation.gpuSecondsByTasks).toBeGreaterThan(0);
    expect(result.conservation.gpuSecondsIntegral).toBeCloseTo(result.conservation.gpuSecondsByTasks, 6);
  });

  it("every job finishes exactly once", () => {
    const { result, fake } = run(mixedInput(7));
    expect(result.jobs.every((outcome) => outcome.finishTime !== null)).toBe(true);
    expect(fake.calls.filter((call) => call.startsWith("submit"))).toHaveLength(300);
  });

  it("no node goes over capacity", () => {
    const { result } = run(mixedInput(3));
    expect(result.conservation.overCapacityEvents).toBe(0);
    expect(result.conservation.maxNodeFill).toBeLessThanOrEqual(1);
  });

  it("utilisation stays within 0..1", () => {
    const { metrics } = run(mixedInput(3), { sampleInterval: 60 });
    expect(Math.max(...metrics.utilisation.series)).toBeLessThanOrEqual(1);
    expect(metrics.utilisation.max).toBeLessThanOrEqual(1);
    expect(metrics.utilisation.average).toBeGreaterThan(0);
  });

  it("samples fall on the fixed interval", () => {
    const { result } = run(mixedInput(3), { sampleInterval: 120 });
    const gaps = new Set(result.samples.time.slice(1).map((time, i) => time - result.samples.time[i]));
    expect([...gaps]).toEqual([120]);
    expect(result.samples.time.at(-1)).toBeGreaterThanOrEqual(result.endTime - 120);
  });

  it("fair-share samples sum to the cluster", () => {
    const { result } = run(mixedInput(5), { sampleInterval: 60 });
    expect(result.conservation.samplesWithActiveQueue).toBeGreaterThan(0);
    expect(result.conservation.fairShareSumMaxError).toBe(0);
  });

  it("same input gives identical output", () => {
    const first = run(mixedInput(11), { preemption: true });
    const second = run(mixedInput(11), { preemption: true });
    expect(JSON.stringify(second.result)).toBe(JSON.stringify(first.result));
    expect(JSON.stringify(second.metrics)).toBe(JSON.stringify(first.metrics));
  });
});

describe("metrics helpers", () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99],
    [Array.from({ length: 1000 }, (_, i) => i + 1), 0.99, 990],
  ])("nearest rank of %j at %f", (values, q, expected) => {
    expect(nearestRank(values, q)).toBe(expected);
  });

  it.each([
    [[1, 1, 1], 1],
    [[1, 0, 0, 0], 0.25],
    [[1, 0.5], 0.9],
  ])("Jain index of %j", (values, expected) => {
    expect(jainIndex(values)).toBeCloseTo(expected, 12);
  });

  it("distribution of empty list is zero", () => {
    expect(distribution([])).toEqual({ count: 0, mean: 0, median: 0, p99: 0, max: 0 });
  });

  it("finish-time fairness uses the 1/N slice", () => {
    const outcome = {
      ...run(input([job("j1")], [node("n1", 1)])).result.jobs[0],
      gpus: 8,
      activeJobsAtSubmit: 4,
      clusterGpusAtSubmit: 16,
      finishTime: 400,
      submitTime: 0,
      runTime: 100,
    };
    // A 1/4 slice of 16 GPUs is 4 GPUs, so an 8-GPU job would take twice its run time.
    expect(finishTimeFairnessOf(outcome)).toBe(2);
  });
});
