import { describe, expect, it } from "vitest";
import { computeMetrics } from "../src/sim/metrics.js";
import { simulate } from "../src/sim/simulator.js";
import { loadCluster, loadTrace } from "../src/traces/index.js";
import { applyScenario, expandScenarios, parseVaryOptions } from "../src/whatif/scenarios.js";
import { shareCluster, shareTrace } from "../src/whatif/shared-trace.js";
import { runSweep, type BaseRun } from "../src/whatif/sweep.js";
import { createScheduler } from "./whatif-scheduler.fixture.js";

const fifoModule = new URL("./whatif-scheduler.fixture.ts", import.meta.url).href;

describe("runSweep with a FIFO scheduler", async () => {
  const trace = await loadTrace("synthetic:jobs=300,queues=3,seed=5");
  const cluster = loadCluster("V100:64/8,K80:32/4");
  const axes = parseVaryOptions(["cluster=0.5,1", "preemption=on,off"]);
  const scenarios = expandScenarios(axes);
  const base: BaseRun = { queues: trace.queues, options: { preemption: false }, jobLimit: 200, schedulerModule: fifoModule };
  const results = await runSweep({ trace: shareTrace(trace), cluster: shareCluster(cluster), base, scenarios, workers: 2 });

  it("finishes every scenario", () => {
    expect(results.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
  });

  it.each(scenarios.map((s) => [s.label, s.index] as const))("matches a sequential run for %s", (_, index) => {
    const applied = applyScenario({ queues: base.queues, nodes: cluster.nodes, preemption: false }, scenarios[index]);
    const sequential = simulate(
      { trace: { ...trace, jobs: trace.jobs.slice(0, 200) }, cluster: { ...cluster, nodes: applied.nodes }, queues: applied.queues },
      createScheduler,
      { preemption: applied.preemption ?? false, policy: applied.policy },
    );
    expect(results[index].run!.metrics).toEqual(computeMetrics(sequential));
  });

  it("finishes jobs in every scenario", () => {
    for (const result of results) expect(result.run!.metrics.jobs.finished).toBeGreaterThan(0);
  });

  it("gives the half cluster a longer mean JCT", () => {
    expect(results[1].run!.metrics.jct.mean).toBeGreaterThan(results[3].run!.metrics.jct.mean);
  });
});

describe("runSweep with a failing scenario", async () => {
  const trace = await loadTrace("synthetic:jobs=50,queues=2,seed=1");
  const cluster = loadCluster("V100:32/8");
  const queue = trace.queues[0].name;
  // validateAxes would reject root.missing up front; skipping it makes the worker throw.
  const scenarios = expandScenarios(parseVaryOptions([`weight:${queue}=1,2`]));
  scenarios.splice(1, 0, { ...expandScenarios(parseVaryOptions(["weight:root.missing=2"]))[0], index: 1 });
  const base: BaseRun = { queues: trace.queues, options: {}, schedulerModule: fifoModule };
  const results = await runSweep({ trace: shareTrace(trace), cluster: shareCluster(cluster), base, scenarios, workers: 2 });

  it("reports the failed scenario", () => {
    expect(results[1]).toMatchObject({ status: "failed", error: expect.stringMatching(/queue root.missing not found/) });
  });

  it("finishes the others", () => {
    expect([results[0].status, results[2].status]).toEqual(["ok", "ok"]);
  });
});
