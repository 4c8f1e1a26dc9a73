import { describe, expect, it } from "vitest";
import { loadTrace } from "../../src/traces/index.js";
import { RUNTIME_QUANTILES, SIZE_MIX, generateSyntheticTrace, mulberry32, runtimeAt } from "../../src/traces/synthetic.js";
import { traceFile } from "./data.js";

describe("synthetic generator", () => {
  it("repeats for one seed", () => {
    const first = generateSyntheticTrace({ jobs: 2_000, queues: 4, seed: 7 });
    const second = generateSyntheticTrace({ jobs: 2_000, queues: 4, seed: 7 });
    expect(second).toEqual(first);
  });

  it("differs between seeds", () => {
    const first = generateSyntheticTrace({ jobs: 100, seed: 1 });
    const second = generateSyntheticTrace({ jobs: 100, seed: 2 });
    expect(second.jobs).not.toEqual(first.jobs);
  });

  it("draws the PRNG in [0, 1)", () => {
    const random = mulberry32(42);
    for (let i = 0; i < 10_000; i++) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it("follows the size mix", () => {
    const trace = generateSyntheticTrace({ jobs: 20_000, seed: 3 });
    const oneGpu = trace.jobs.filter((job) => job.taskCount === 1).length / trace.jobs.length;
    expect(Math.abs(oneGpu - SIZE_MIX[0][1])).toBeLessThan(0.02);
    for (const job of trace.jobs) expect(job.gang).toBe(job.taskCount > 1);
  });

  it("follows the run-time median", () => {
    const trace = generateSyntheticTrace({ jobs: 20_000, seed: 3 });
    const durations = trace.jobs.map((job) => job.duration).sort((a, b) => a - b);
    const median = durations[durations.length / 2];
    expect(median).toBeGreaterThan(900);
    expect(median).toBeLessThan(1_500);
    expect(durations[0]).toBeGreaterThanOrEqual(1);
  });

  it("interpolates quantiles exactly at their levels", () => {
    for (const [level, seconds] of RUNTIME_QUANTILES) expect(runtimeAt(level)).toBeCloseTo(seconds, 6);
  });

  it("spreads jobs over every queue", () => {
    const trace = generateSyntheticTrace({ jobs: 1_000, queues: 5, seed: 1 });
    expect(new Set(trace.jobs.map((job) => job.queue)).size).toBe(5);
    expect(trace.queues).toHaveLength(5);
  });

  it("runs slower on K80 than on V100", () => {
    for (const job of generateSyntheticTrace({ jobs: 200 }).jobs) {
      expect(job.durationByGpuType!.K80).toBeGreaterThan(job.durationByGpuType!.V100);
    }
  });
});

describe("loadTrace", () => {
  it("parses synthetic parameters", async () => {
    const trace = await loadTrace("synthetic:jobs=300,queues=3,seed=9");
    expect(trace.jobs).toHaveLength(300);
    expect(trace).toEqual(generateSyntheticTrace({ jobs: 300, queues: 3, seed: 9 }));
  });

  it("rejects an unknown parameter", async () => {
    await expect(loadTrace("synthetic:gpus=8")).rejects.toThrow(/invalid parameter gpus/);
  });

  it("rejects an empty parameter value", async () => {
    await expect(loadTrace("synthetic:seed=")).rejects.toThrow(/invalid parameter seed/);
  });

  it("rejects a prototype key as parameter", async () => {
    await expect(loadTrace("synthetic:toString=1")).rejects.toThrow(/invalid parameter toString/);
  });

  it("rejects an unknown kind", async () => {
    await expect(loadTrace("philly:/tmp/jobs.json")).rejects.toThrow(/unknown trace kind.*gavel, alibaba2023, synthetic/);
  });

  it("rejects a missing path", async () => {
    await expect(loadTrace("gavel:/nonexistent/seed=0")).rejects.toThrow(/\/nonexistent\/seed=0: gavel trace: file not found/);
  });

  const seed0 = traceFile("gavel/msr/seed=0");
  const phillyVcs = traceFile("philly/philly_vc_nodes.csv");
  it.skipIf(!seed0.present || !phillyVcs.present)("applies quotas to a trace", async () => {
    const trace = await loadTrace(`gavel:${seed0.path}`, { quotas: `philly:${phillyVcs.path}` });
    expect(trace.queues).toHaveLength(15);
    expect(trace.queues.find((queue) => queue.name === "root.ee9e8c")!.weight).toBe(512);
    expect(trace.queues.find((queue) => queue.name === "root.23dbec")!.weight).toBe(1);
  });
});
