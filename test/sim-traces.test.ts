/**
 * End-to-end replays of public traces through the simulator and the core Scheduler, checking
 * the bookkeeping facts every run must keep. The trace files live beside the repository, in
 * `../shared/traces` (or FAIRSCHED_TRACES); a missing file skips these tests, except under
 * CI=true, where it fails them.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createCoreScheduler } from "../src/sim/core-scheduler.js";
import { computeMetrics, type Metrics } from "../src/sim/metrics.js";
import { buildJsonReport, stringifyJsonReport } from "../src/sim/report-json.js";
import { simulate } from "../src/sim/simulator.js";
import type { SchedulerFactory, SimScheduler, SimulationResult } from "../src/sim/types.js";
import { loadCluster, loadTrace } from "../src/traces/index.js";
import type { Cluster, Trace } from "../src/traces/types.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TRACES = process.env.FAIRSCHED_TRACES ?? join(REPO, "../shared/traces");

function traceFile(relativePath: string): { path: string; present: boolean } {
  const path = join(TRACES, relativePath);
  const present = existsSync(path);
  if (!present && process.env.CI === "true") throw new Error(`trace file missing under CI: ${path}. Set FAIRSCHED_TRACES to the folder of the public GPU traces`);
  return { path, present };
}

const gavel = traceFile("gavel/msr/seed=0");
const philly = traceFile("philly/cluster_machine_list.csv");
const alibabaPods = traceFile("alibaba-gpu-2023/openb_pod_list_default.csv");
const alibabaNodes = traceFile("alibaba-gpu-2023/openb_node_list_all_node.csv");

/** Milliseconds allowed for one full replay; a shared 2-core machine needs well over a minute. */
const REPLAY_TIMEOUT = 300_000;

/** Calls the scheduler received, per job: submissions and finished tasks. */
interface CallLog {
  submits: Map<string, number>;
  finishedTasks: Map<string, number>;
}

/** Wraps the core Scheduler factory to count submissions and finished tasks per job. */
function countingFactory(log: CallLog): SchedulerFactory {
  return (snapshot) => {
    const scheduler = createCoreScheduler(snapshot);
    const jobOfTask = new Map<number, string>();
    const counted: SimScheduler = {
      setTime: (seconds) => scheduler.setTime(seconds),
      submit: (job) => {
        log.submits.set(job.name, (log.submits.get(job.name) ?? 0) + 1);
        scheduler.submit(job);
      },
      finishTask: (task) => {
        const job = jobOfTask.get(task)!;
        log.finishedTasks.set(job, (log.finishedTasks.get(job) ?? 0) + 1);
        scheduler.finishTask(task);
      },
      preemptTask: (task) => scheduler.preemptTask(task),
      schedule: () => {
        const decision = scheduler.schedule();
        for (const placement of decision.placements) jobOfTask.set(placement.task, placement.job);
        return decision;
      },
      shares: () => scheduler.shares(),
    };
    return counted;
  };
}

interface Replay {
  trace: Trace;
  cluster: Cluster;
  result: SimulationResult;
  metrics: Metrics;
  log: CallLog;
}

async function replay(traceSpec: string, clusterSpec: string): Promise<Replay> {
  const trace = await loadTrace(traceSpec);
  const cluster = loadCluster(clusterSpec);
  const log: CallLog = { submits: new Map(), finishedTasks: new Map() };
  const result = simulate({ trace, cluster }, countingFactory(log));
  return { trace, cluster, result, metrics: computeMetrics(result), log };
}

/** Checks the facts every replay must keep; `label` names the replay in failures. */
function checkBookkeeping(label: string, run: () => Replay): void {
  it(`${label}: every job arrives once`, () => {
    const { trace, log } = run();
    expect(log.submits.size).toBe(trace.jobs.length);
    expect([...log.submits.values()].every((count) => count === 1)).toBe(true);
  });

  it(`${label}: jobs finish once or have a reason`, () => {
    const { result, log } = run();
    for (const job of result.jobs) {
      const finished = log.finishedTasks.get(job.name) ?? 0;
      if (job.finishTime !== null) expect(finished, job.name).toBe(job.taskCount);
      else expect(job.unfinishedReason, job.name).toMatch(/\S/);
    }
  });

  it(`${label}: GPU-seconds equal task GPUs x run time`, () => {
    const { result } = run();
    const { gpuSecondsByTasks, gpuSecondsIntegral } = result.conservation;
    expect(Math.abs(gpuSecondsIntegral - gpuSecondsByTasks) / gpuSecondsByTasks).toBeLessThan(1e-9);
    // Without preemption, every task of a finished job runs exactly its job's run time.
    expect(result.jobs.every((job) => job.preemptions === 0)).toBe(true);
    const expected = result.jobs.reduce((total, job) => total + (job.finishTime !== null ? job.gpus * job.runTime! : 0), 0);
    expect(Math.abs(gpuSecondsByTasks - expected) / expected).toBeLessThan(1e-9);
  });

  it(`${label}: no node over capacity`, () => {
    const { result } = run();
    expect(result.conservation.overCapacityEvents).toBe(0);
    expect(result.conservation.maxNodeFill).toBeLessThanOrEqual(1);
    expect(result.conservation.ignoredDecisions).toBe(0);
  });

  it(`${label}: utilisation never above 1`, () => {
    const { result, metrics } = run();
    expect(result.conservation.maxUtilisation).toBeLessThanOrEqual(1);
    expect(Math.max(...metrics.utilisation.series)).toBeLessThanOrEqual(1);
  });

  it(`${label}: fair shares sum to the cluster`, () => {
    const { result } = run();
    const samples = result.samples;
    let checked = 0;
    for (let i = 0; i < samples.time.length; i++) {
      const active = samples.queues.some((queue) => queue.usage[i] > 0 || queue.demand[i] > 0);
      if (!active) continue;
      const sum = samples.queues.reduce((total, queue) => total + queue.fairShare[i], 0);
      expect(Math.abs(sum - samples.schedulableGpus[i]), `sample at ${samples.time[i]} s`).toBeLessThan(1e-6 * samples.schedulableGpus[i]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });
}

describe.runIf(gavel.present && philly.present)("gavel seed 0 on Philly", () => {
  let run: Replay;
  beforeAll(async () => {
    run = await replay(`gavel:${gavel.path}`, `philly:${philly.path}`);
  }, REPLAY_TIMEOUT);

  checkBookkeeping("gavel on philly", () => run);

  it("gavel on philly: all 15,264 jobs finish", () => {
    expect(run.result.jobs).toHaveLength(15264);
    expect(run.metrics.jobs.finished).toBe(15264);
  });
});

describe.runIf(alibabaPods.present && alibabaNodes.present)("alibaba 2023 on its nodes", () => {
  let run: Replay;
  beforeAll(async () => {
    run = await replay(`alibaba2023:${alibabaPods.path}`, `alibaba2023:${alibabaNodes.path}`);
  }, REPLAY_TIMEOUT);

  checkBookkeeping("alibaba 2023", () => run);
});

describe.runIf(gavel.present)("gavel seed 0 on V100, P100 and K80", () => {
  let run: Replay;
  beforeAll(async () => {
    run = await replay(`gavel:${gavel.path}`, "v100:300,p100:300,k80:300");
  }, REPLAY_TIMEOUT);

  it("V100 jobs finish faster than K80 jobs", () => {
    const byType = new Map(run.metrics.byGpuType.map((group) => [group.gpuType, group]));
    expect(byType.get("V100")!.finished).toBeGreaterThan(0);
    expect(byType.get("K80")!.finished).toBeGreaterThan(0);
    expect(byType.get("V100")!.jct.mean).toBeLessThan(byType.get("K80")!.jct.mean);
    expect(byType.get("V100")!.jct.median).toBeLessThan(byType.get("K80")!.jct.median);
  });
});

describe("synthetic replay with preemption", () => {
  /** Runs 600 synthetic jobs on 24 GPUs with preemption on and returns the result and its JSON. */
  async function preemptingRun(): Promise<{ result: SimulationResult; json: string }> {
    const trace = await loadTrace("synthetic:jobs=600,seed=3");
    const cluster = loadCluster("v100:8,p100:8,k80:8");
    const result = simulate({ trace, cluster }, createCoreScheduler, { preemption: true, checkpointInterval: 600 });
    return { result, json: stringifyJsonReport(buildJsonReport(result, computeMetrics(result))) };
  }

  let first: { result: SimulationResult; json: string };
  let second: { result: SimulationResult; json: string };
  beforeAll(async () => {
    first = await preemptingRun();
    second = await preemptingRun();
  });

  it("two runs give identical JSON", () => {
    expect(second.json.length).toBe(first.json.length);
    expect(second.json === first.json).toBe(true);
  });

  it("preemption plans are applied", () => {
    expect(first.result.jobs.some((job) => job.preemptions > 0)).toBe(true);
    expect(first.result.jobs.some((job) => job.lostGpuSeconds > 0)).toBe(true);
  });

  it("GPU-seconds agree under preemption", () => {
    const { gpuSecondsByTasks, gpuSecondsIntegral } = first.result.conservation;
    expect(Math.abs(gpuSecondsIntegral - gpuSecondsByTasks) / gpuSecondsByTasks).toBeLessThan(1e-9);
  });

  it("no node over capacity under preemption", () => {
    expect(first.result.conservation.overCapacityEvents).toBe(0);
    expect(first.result.conservation.ignoredDecisions).toBe(0);
  });
});

describe("node events with the core Scheduler", () => {
  it("tasks of a removed node rerun on an added one", () => {
    const jobs = [0, 1, 2, 3].map((i) => ({
      name: `j${i}`,
      queue: "root.a",
      user: "u",
      submitTime: i,
      taskCount: 2,
      request: { gpu: 1, cpu: 1, memory: 1 },
      gang: i % 2 === 0,
      duration: 1000,
    }));
    const node = (name: string) => ({ name, capacity: { gpu: 4, cpu: 64, memory: 100000 }, gpuType: "V100" });
    const result = simulate(
      {
        trace: { jobs, queues: [{ name: "root.a" }], skipped: {}, adjusted: {}, notes: [] },
        cluster: { nodes: [node("n1"), node("n2")], skipped: {}, notes: [] },
        nodeEvents: [
          { time: 100, kind: "remove", node: "n1" },
          { time: 200, kind: "add", node: node("n3") },
        ],
      },
      createCoreScheduler,
    );
    const lost = result.jobs.filter((job) => job.lostGpuSeconds > 0);
    expect(lost.map((job) => job.finishTime)).toEqual([1200, 1200]);
    expect(lost.map((job) => job.preemptedTasks)).toEqual([2, 2]);
    expect(result.jobs.every((job) => job.finishTime !== null)).toBe(true);
    expect(result.conservation.gpuSecondsIntegral).toBe(result.conservation.gpuSecondsByTasks);
  });
});
