import { describe, expect, it } from "vitest";
import { FRACTIONAL_GPU_ROUNDED, RUNNING_AT_TRACE_END, readAlibaba2023Pods } from "../../src/traces/alibaba2023.js";
import { traceFile } from "./data.js";

const defaultPods = traceFile("alibaba-gpu-2023/openb_pod_list_default.csv");
const specPods = traceFile("alibaba-gpu-2023/openb_pod_list_gpuspec33.csv");
const multiGpuPods = traceFile("alibaba-gpu-2023/openb_pod_list_multigpu20.csv");

describe.skipIf(!defaultPods.present)("alibaba2023 reader on the default pod list", async () => {
  const trace = defaultPods.present ? await readAlibaba2023Pods(defaultPods.path) : undefined;
  const jobs = trace?.jobs ?? [];

  it("keeps every scheduled pod", () => {
    expect(jobs).toHaveLength(8_152 - 897);
  });

  it("counts pods never scheduled", () => {
    expect(trace!.skipped).toEqual({ "never scheduled (no scheduled_time)": 897 });
  });

  it("flags and counts fractional GPUs", () => {
    const flagged = jobs.filter((job) => job.fractionalGpu);
    expect(flagged).toHaveLength(2_573);
    expect(trace!.adjusted[FRACTIONAL_GPU_ROUNDED]).toBe(2_573);
    for (const job of flagged) expect(job.request.gpu).toBe(1);
  });

  it("counts pods running at trace end", () => {
    expect(trace!.adjusted[RUNNING_AT_TRACE_END]).toBe(5_193);
  });

  it("makes one queue per QoS class", () => {
    expect(trace!.queues.map((queue) => queue.name)).toEqual(["root.BE", "root.Burstable", "root.Guaranteed", "root.LS"]);
  });

  it("gives positive durations", () => {
    for (const job of jobs) expect(job.duration).toBeGreaterThan(0);
  });

  it("converts millicores to vcores", () => {
    const first = jobs.find((job) => job.name === "openb-pod-0000")!;
    expect(first.request).toEqual({ gpu: 1, cpu: 12, memory: 16_384 });
    expect(first.duration).toBe(12_537_496);
  });

  it("notes the missing tenants", () => {
    expect(trace!.notes.join("\n")).toMatch(/no users or tenants/);
  });
});

describe("alibaba2023 reader on variants", () => {
  it.skipIf(!specPods.present)("reads GPU type constraints", async () => {
    const trace = await readAlibaba2023Pods(specPods.path);
    const constrained = trace.jobs.filter((job) => job.gpuTypes);
    expect(constrained.length).toBeGreaterThan(0);
    for (const job of constrained) expect(job.gpuTypes!.length).toBeGreaterThan(0);
  });

  it.skipIf(!multiGpuPods.present)("rejects a list without times", async () => {
    await expect(readAlibaba2023Pods(multiGpuPods.path)).rejects.toThrow(/missing column qos/);
  });
});
