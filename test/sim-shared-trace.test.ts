import { describe, expect, it } from "vitest";
import { createCoreScheduler } from "../src/sim/core-scheduler.js";
import type { SimulationOptions } from "../src/sim/options.js";
import { simulate } from "../src/sim/simulator.js";
import type { NodeEvent } from "../src/sim/types.js";
import { loadCluster, loadTrace } from "../src/traces/index.js";
import type { Trace } from "../src/traces/types.js";
import { shareTrace } from "../src/whatif/shared-trace.js";
import { traceForSimulation } from "../src/whatif/sweep.js";

const cluster = loadCluster("v100:16,p100:16,k80:16");
const synthetic = await loadTrace("synthetic:jobs=400,queues=4,seed=11");

/** The same jobs with each pair of neighbours swapped, so trace order is not submit order. */
const shuffled: Trace = {
  ...synthetic,
  jobs: synthetic.jobs.map((_, i, jobs) => jobs[i % 2 === 0 ? Math.min(i + 1, jobs.length - 1) : i - 1]),
};

const drain: NodeEvent[] = [
  { time: synthetic.jobs[50].submitTime, kind: "remove", node: cluster.nodes[0].name },
  { time: synthetic.jobs[120].submitTime, kind: "add", node: cluster.nodes[0] },
];

const cases: { name: string; trace: Trace; options: Partial<SimulationOptions>; nodeEvents?: NodeEvent[]; jobLimit?: number }[] = [
  { name: "fair, no preemption", trace: synthetic, options: {} },
  { name: "drf with preemption and checkpoints", trace: synthetic, options: { policy: "drf", preemption: true, checkpointInterval: 600 } },
  { name: "trace out of submit order", trace: shuffled, options: { preemption: true } },
  { name: "node loss and return", trace: synthetic, options: { preemption: true }, nodeEvents: drain },
  { name: "stopped by maxTime", trace: synthetic, options: { maxTime: synthetic.jobs[200].submitTime } },
  { name: "first 150 jobs", trace: synthetic, options: {}, jobLimit: 150 },
];

describe("simulate from a SharedTrace", () => {
  it.each(cases)("equals the Trace run: $name", ({ trace, options, nodeEvents, jobLimit }) => {
    const plain: Trace = jobLimit === undefined ? trace : { ...trace, jobs: trace.jobs.slice(0, jobLimit) };
    const fromTrace = simulate({ trace: plain, cluster, nodeEvents }, createCoreScheduler, options);
    const fromShared = simulate({ trace: traceForSimulation(shareTrace(trace), jobLimit), cluster, nodeEvents }, createCoreScheduler, options);
    expect(JSON.stringify(fromShared)).toBe(JSON.stringify(fromTrace));
  });

  it("reports every job of the limit in trace order", () => {
    const result = simulate({ trace: traceForSimulation(shareTrace(shuffled), 150), cluster }, createCoreScheduler);
    expect(result.jobs.map((job) => job.name)).toEqual(shuffled.jobs.slice(0, 150).map((job) => job.name));
  });
});
