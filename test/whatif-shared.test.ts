import { describe, expect, it } from "vitest";
import { loadCluster, loadTrace, type Cluster, type Trace } from "../src/traces/index.js";
import { MAX_GPU_TYPES, SharedCluster, SharedTrace, shareCluster, shareTrace } from "../src/whatif/shared-trace.js";
import { traceFile } from "./traces/data.js";

const handMade: Trace = {
  jobs: [
    { name: "ünïcode-ジョブ", queue: "root.a", user: "u1", submitTime: 0, taskCount: 4, request: { gpu: 2, cpu: 8 }, gang: true, duration: 120 },
    {
      name: "typed",
      queue: "root.b.c",
      jobType: "ResNet-50",
      user: "u2",
      submitTime: 5.5,
      taskCount: 1,
      request: { gpu: 1, memory: 1024 },
      gang: false,
      gpuTypes: ["A100", "H100"],
      duration: 60,
      durationByGpuType: { H100: 30, A100: 60 },
      fractionalGpu: true,
    },
    { name: "", queue: "root.a", user: "u1", submitTime: 9, taskCount: 1, request: {}, gang: false, gpuTypes: [], duration: 1, fractionalGpu: false },
  ],
  queues: [{ name: "root.a", weight: 2 }, { name: "root.b.c", minResources: { gpu: 4 } }],
  skipped: { "bad row": 3 },
  adjusted: {},
  notes: ["hand made"],
};

const handCluster: Cluster = {
  nodes: [
    { name: "n0", capacity: { gpu: 8, cpu: 96, memory: 1_048_576 }, gpuType: "H100", topology: "z/r1/nvl-0", labels: { pool: "train" } },
    { name: "n1", capacity: { cpu: 32, memory: 65_536 }, schedulable: false },
  ],
  skipped: {},
  notes: ["two nodes"],
};

describe("shareTrace", () => {
  const shared = shareTrace(handMade);

  it("round-trips every job", () => {
    expect([...shared]).toEqual(handMade.jobs);
  });

  it("keeps the trace's account", () => {
    const back = shared.toTrace();
    expect(back.queues).toEqual(handMade.queues);
    expect(back.skipped).toEqual(handMade.skipped);
    expect(back.notes).toEqual(handMade.notes);
  });

  it("backs columns with one shared buffer", () => {
    expect(shared.handle.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.submitTimes.buffer).toBe(shared.handle.buffer);
    expect(shared.requests.buffer).toBe(shared.handle.buffer);
  });

  it("reads a cloned handle in place", () => {
    const clone = new SharedTrace(structuredClone(shared.handle));
    shared.taskCounts[0] = 99;
    expect(clone.job(0).taskCount).toBe(99);
    shared.taskCounts[0] = 4;
  });

  it("rejects an index outside the trace", () => {
    expect(() => shared.job(3)).toThrow(RangeError);
  });

  it("rejects more GPU types than mask bits", () => {
    const types = Array.from({ length: MAX_GPU_TYPES + 1 }, (_, t) => `T${t}`);
    const wide: Trace = { ...handMade, jobs: [{ ...handMade.jobs[1], gpuTypes: types, durationByGpuType: undefined }] };
    expect(() => shareTrace(wide)).toThrow(/GPU types/);
  });

  it("shares an empty trace", () => {
    expect(shareTrace({ ...handMade, jobs: [] }).length).toBe(0);
  });
});

describe("shareCluster", () => {
  const shared = shareCluster(handCluster);

  it("round-trips every node", () => {
    expect(shared.toCluster().nodes).toEqual(handCluster.nodes);
  });

  it("reads a cloned handle", () => {
    expect(new SharedCluster(structuredClone(shared.handle)).node(1)).toEqual(handCluster.nodes[1]);
  });
});

describe("shared synthetic trace", async () => {
  const trace = await loadTrace("synthetic:jobs=500,queues=4,seed=3");

  it("round-trips every job", () => {
    expect(shareTrace(trace).toTrace().jobs).toEqual(trace.jobs);
  });
});

const gavel = traceFile("gavel/msr/seed=0");
const philly = traceFile("philly/cluster_machine_list.csv");

describe.skipIf(!gavel.present || !philly.present)("shared gavel trace and philly cluster", async () => {
  const trace = gavel.present ? await loadTrace(`gavel:${gavel.path}`) : undefined;
  const cluster = philly.present ? loadCluster(`philly:${philly.path}`) : undefined;

  it("round-trips every job", () => {
    expect(shareTrace(trace!).toTrace().jobs).toEqual(trace!.jobs);
  });

  it("round-trips every node", () => {
    expect(shareCluster(cluster!).toCluster().nodes).toEqual(cluster!.nodes);
  });

  it("fits in under 100 bytes a job", () => {
    const shared = shareTrace(trace!);
    expect(shared.byteLength / shared.length).toBeLessThan(100);
  });
});
