/**
 * The what-if sweep on the Philly-derived Gavel trace with the library's Scheduler: every
 * scenario run in worker threads equals the same scenario simulated in this thread.
 *
 * Two sweeps of 8 scenarios each (2 weights x 2 policies x preemption on/off):
 * - the whole seed-0 trace (15,264 jobs) on the whole Philly machine list, which keeps the
 *   cluster about 8% busy, so queues barely contend;
 * - the first JOB_LIMIT jobs on the machine list scaled to a tenth of its nodes (`cluster=0.1`),
 *   so that queues contend and the weight changes results.
 */
import { describe, expect, it } from "vitest";
import { computeMetrics } from "../src/sim/metrics.js";
import { createCoreScheduler } from "../src/sim/core-scheduler.js";
import { simulate } from "../src/sim/simulator.js";
import { loadCluster, loadTrace } from "../src/traces/index.js";
import { applyScenario, expandScenarios, parseVaryOptions } from "../src/whatif/scenarios.js";
import { shareCluster, shareTrace } from "../src/whatif/shared-trace.js";
import { defaultSchedulerModule, runSweep, type BaseRun } from "../src/whatif/sweep.js";
import { traceFile } from "./traces/data.js";

const JOB_LIMIT = 400;
const gavel = traceFile("gavel/msr/seed=0");
const philly = traceFile("philly/cluster_machine_list.csv");

const sweeps = [
  { name: "whole trace on the whole cluster", jobLimit: undefined, clusterScale: [] as string[] },
  { name: "contended subset", jobLimit: JOB_LIMIT, clusterScale: ["cluster=0.1"] },
];

const present = gavel.present && philly.present;

describe.runIf(present).each(sweeps)("whatif on gavel seed 0, philly: $name", async (sweep) => {
  // vitest still collects a skipped suite, so the inputs are read only when they exist.
  if (!present) return;
  const trace = await loadTrace(`gavel:${gavel.path}`);
  const cluster = loadCluster(`philly:${philly.path}`);
  const queue = trace.queues[0].name;
  const axes = parseVaryOptions([...sweep.clusterScale, `weight:${queue}=1,4`, "policy=fair,drf", "preemption=on,off"]);
  const scenarios = expandScenarios(axes);
  const base: BaseRun = { queues: trace.queues, options: {}, jobLimit: sweep.jobLimit, schedulerModule: defaultSchedulerModule() };
  const results = await runSweep({ trace: shareTrace(trace), cluster: shareCluster(cluster), base, scenarios, workers: 2 });
  const jobs = sweep.jobLimit === undefined ? trace.jobs : trace.jobs.slice(0, sweep.jobLimit);

  it("runs eight scenarios", () => {
    expect(results.map((r) => r.status)).toEqual(Array(8).fill("ok"));
  });

  it.each(scenarios.map((s) => [s.label, s.index] as const))("matches a sequential run: %s", (_, index) => {
    const applied = applyScenario({ queues: trace.queues, nodes: cluster.nodes }, scenarios[index]);
    const sequential = simulate(
      { trace: { ...trace, jobs }, cluster: { ...cluster, nodes: applied.nodes }, queues: applied.queues },
      createCoreScheduler,
      { policy: applied.policy, preemption: applied.preemption ?? false },
    );
    expect(results[index].run!.metrics).toEqual(computeMetrics(sequential));
  });

  it("finishes jobs in every scenario", () => {
    for (const result of results) expect(result.run!.metrics.jobs.finished).toBeGreaterThan(0);
  });

  it.runIf(sweep.jobLimit !== undefined)("changes mean JCT with the weight", () => {
    expect(results[0].run!.metrics.jct.mean).not.toBe(results[4].run!.metrics.jct.mean);
  });
});
