import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  GAVEL_REFERENCE_GPU_TYPE,
  THROUGHPUT_FALLBACK,
  lookupThroughput,
  readGavelThroughputs,
  readGavelTrace,
} from "../../src/traces/gavel.js";
import { traceFile } from "./data.js";

const seed0 = traceFile("gavel/msr/seed=0");
const throughputs = traceFile("gavel/simulation_throughputs.json.gz");
const testbed = traceFile("gavel/physical_cluster/max_min_fairness.trace");

describe.skipIf(!seed0.present || !throughputs.present)("gavel reader on seed 0", async () => {
  const trace = seed0.present && throughputs.present ? await readGavelTrace(seed0.path) : undefined;
  const jobs = trace?.jobs ?? [];

  it("reads every job of the seed", () => {
    expect(jobs.length).toBe(15_264);
  });

  it("skips no rows", () => {
    expect(trace!.skipped).toEqual({});
  });

  it("counts throughput fallbacks", () => {
    expect(trace!.adjusted[THROUGHPUT_FALLBACK]).toBe(1_548);
  });

  it("makes one queue per virtual cluster", () => {
    expect(trace!.queues).toHaveLength(15);
    expect(trace!.queues.map((queue) => queue.name)).toContain("root.ee9e8c");
  });

  it("reads job counts per virtual cluster", () => {
    const perQueue: Record<string, number> = {};
    for (const job of jobs) perQueue[job.queue] = (perQueue[job.queue] ?? 0) + 1;
    expect(perQueue["root.11cb48"]).toBe(2_000);
    expect(perQueue["root.0e4a51"]).toBe(1_181);
    expect(perQueue["root.23dbec"]).toBe(9);
    expect(perQueue["root.795a4c"]).toBe(3);
  });

  it("reads the GPU-count mix", () => {
    const gpus: Record<number, number> = {};
    for (const job of jobs) gpus[job.taskCount] = (gpus[job.taskCount] ?? 0) + 1;
    expect(gpus[1]).toBe(10_480);
    expect(gpus[2]).toBe(463);
    expect(gpus[4]).toBe(2_044);
    expect(gpus[8]).toBe(1_916);
    expect(gpus[16]).toBe(255);
    expect(gpus[32]).toBe(91);
  });

  it("marks multi-GPU jobs as gangs", () => {
    for (const job of jobs) expect(job.gang).toBe(job.taskCount > 1);
  });

  it("gives positive finite durations", () => {
    for (const job of jobs) {
      expect(Number.isFinite(job.duration), job.name).toBe(true);
      expect(job.duration, job.name).toBeGreaterThan(0);
      for (const seconds of Object.values(job.durationByGpuType!)) {
        expect(Number.isFinite(seconds), job.name).toBe(true);
        expect(seconds, job.name).toBeGreaterThan(0);
      }
    }
  });

  it("uses the V100 run time as duration", () => {
    for (const job of jobs) expect(job.duration).toBe(job.durationByGpuType![GAVEL_REFERENCE_GPU_TYPE]);
  });

  it("runs slower on K80 than on V100", () => {
    const ratios = jobs
      .filter((job) => job.durationByGpuType!.K80 !== undefined)
      .map((job) => job.durationByGpuType!.K80 / job.durationByGpuType!.V100)
      .sort((a, b) => a - b);
    expect(ratios.length).toBeGreaterThan(15_000);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeGreaterThan(2);
  });

  it("runs faster on K80 only for small-batch recommendation jobs", () => {
    // Gavel measured Recommendation with batch sizes 512..4096 as faster on K80 than on V100.
    const fasterOnK80 = jobs.filter((job) => job.durationByGpuType!.K80 < job.durationByGpuType!.V100);
    expect(fasterOnK80.length).toBeGreaterThan(0);
    const jobTypes = new Set(fasterOnK80.map((job) => job.jobType));
    for (const jobType of jobTypes) expect(jobType).toMatch(/^Recommendation \(batch size (512|1024|2048|4096)\)$/);
  });

  it("leaves K80 out where the job does not fit", () => {
    const withoutK80 = jobs.filter((job) => !job.gpuTypes!.includes("K80"));
    expect(withoutK80.length).toBeGreaterThan(0);
    for (const job of withoutK80) expect(job.durationByGpuType!.K80).toBeUndefined();
  });

  it("sorts jobs by submit time then name", () => {
    for (let i = 1; i < jobs.length; i++) {
      const previous = jobs[i - 1];
      const current = jobs[i];
      const ordered = previous.submitTime < current.submitTime || (previous.submitTime === current.submitTime && previous.name < current.name);
      expect(ordered, `${previous.name} before ${current.name}`).toBe(true);
    }
  });

  it("gives a median V100 run time near 9,000 s", () => {
    const durations = jobs.map((job) => job.duration).sort((a, b) => a - b);
    const median = durations[Math.floor(durations.length / 2)];
    expect(median).toBeGreaterThan(8_000);
    expect(median).toBeLessThan(10_000);
  });
});

describe.skipIf(!throughputs.present)("gavel throughput lookup", () => {
  const table = throughputs.present ? readGavelThroughputs(throughputs.path) : new Map();

  it("reads three GPU types", () => {
    const types = new Set<string>();
    for (const byScale of table.values()) for (const byType of byScale.values()) for (const type of byType.keys()) types.add(type);
    expect([...types].sort()).toEqual(["K80", "P100", "V100"]);
  });

  it("returns listed pairs as they are", () => {
    const listed = table.get("ResNet-18 (batch size 16)")!.get(1)!.get("V100")!;
    expect(lookupThroughput(table, "ResNet-18 (batch size 16)", 1, "V100")).toEqual({ stepsPerSecond: listed, fallback: false });
  });

  it("scales the nearest smaller GPU count", () => {
    const single = table.get("Recommendation (batch size 8192)")!.get(1)!.get("V100")!;
    const result = lookupThroughput(table, "Recommendation (batch size 8192)", 4, "V100");
    expect(result.fallback).toBe(true);
    expect(result.stepsPerSecond).toBeCloseTo(single * 4);
  });

  it("keeps a listed zero through the fallback", () => {
    expect(lookupThroughput(table, "ResNet-50 (batch size 128)", 16, "K80").stepsPerSecond).toBe(0);
  });
});

describe.skipIf(!throughputs.present || !seed0.present)("gavel reader on single files", () => {
  it("reads one file as one queue", async () => {
    const trace = await readGavelTrace(join(seed0.path, "23dbec.trace"));
    expect(trace.jobs).toHaveLength(9);
    expect(trace.queues).toEqual([{ name: "root.23dbec", weight: 1 }]);
  });

  it.skipIf(!testbed.present)("reads the 10-field testbed layout", async () => {
    const trace = await readGavelTrace(testbed.path, { throughputs: throughputs.path });
    expect(trace.jobs).toHaveLength(96);
    expect(trace.skipped).toEqual({});
  });

  it("counts unusable rows by reason", async () => {
    const folder = mkdtempSync(join(tmpdir(), "fairsched-gavel-"));
    const file = join(folder, "vc1.trace");
    const good = "ResNet-18 (batch size 16)\tcmd\t-n\t1\t1000\t5.0\t1";
    writeFileSync(
      file,
      [
        good,
        "ResNet-18 (batch size 16)\tcmd\t-n\t1\t1000\t5.0",
        "ResNet-18 (batch size 16)\tcmd\t-n\t1\t-3\t5.0\t1",
        "ResNet-18 (batch size 16)\tcmd\t-n\t1\t1000\tsoon\t1",
        "ResNet-18 (batch size 16)\tcmd\t-n\t1\t1000\t5.0\t1.5",
        "Unknown model\tcmd\t-n\t1\t1000\t5.0\t1",
      ].join("\n"),
    );
    const trace = await readGavelTrace(file, { throughputs: throughputs.path });
    expect(trace.jobs).toHaveLength(1);
    expect(trace.skipped).toEqual({
      "wrong number of fields (expected 7 or 10)": 1,
      "total_steps not a positive number": 1,
      "arrival_time not a non-negative number": 1,
      "scale_factor not a positive integer": 1,
      "job type not in throughput matrix": 1,
    });
  });

  it("rejects a missing throughput matrix", async () => {
    await expect(readGavelTrace(seed0.path, { throughputs: "/nonexistent/throughputs.json.gz" })).rejects.toThrow(
      /throughputs\.json\.gz: throughput matrix: file not found/,
    );
  });
});
