import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import type { NodeSpec } from "../src/model/types.js";
import {
  applyScenario,
  expandScenarios,
  parseVary,
  parseVaryOptions,
  scaleCluster,
  setGpuTotal,
  validateAxes,
  type ScenarioInputs,
} from "../src/whatif/scenarios.js";

describe("parseVary", () => {
  it.each([
    ["weight:root.a=1,2.5", { key: "weight:root.a", kind: "weight", queue: "root.a", values: [1, 2.5] }],
    ["min:root.a.b:gpu=0,8", { key: "min:root.a.b:gpu", kind: "min", queue: "root.a.b", dimension: "gpu", values: [0, 8] }],
    ["max:root.a:memory=1024", { key: "max:root.a:memory", kind: "max", queue: "root.a", dimension: "memory", values: [1024] }],
    ["policy=fair,drf,fifo", { key: "policy", kind: "policy", values: ["fair", "drf", "fifo"] }],
    ["preemption=on,off", { key: "preemption", kind: "preemption", values: [true, false] }],
    ["cluster=0.5,2", { key: "cluster", kind: "cluster", values: [0.5, 2] }],
    ["gpus:V100=0,64", { key: "gpus:V100", kind: "gpus", gpuType: "V100", values: [0, 64] }],
  ])("parses %s", (option, expected) => {
    expect(parseVary(option)).toEqual(expected);
  });

  it.each([
    ["weight:root.a", /missing KEY=VALUES/],
    ["weight=1", /malformed key for weight/],
    ["min:root.a=1", /malformed key for min/],
    ["speed=1", /unknown key speed/],
    ["weight:root.a=-1", /invalid weight value/],
    ["weight:root.a=x", /invalid weight value/],
    ["cluster=0", /invalid cluster value/],
    ["gpus:V100=1.5", /invalid gpus value/],
    ["policy=lifo", /unknown policy/],
    ["preemption=yes", /invalid preemption value/],
    ["weight:root.a=1,,2", /empty value/],
    ["weight:root.a=1,1", /duplicate value/],
  ])("rejects %s", (option, message) => {
    expect(() => parseVary(option)).toThrow(InputError);
    expect(() => parseVary(option)).toThrow(message);
  });

  it("rejects a key given twice", () => {
    expect(() => parseVaryOptions(["policy=fair", "policy=drf"])).toThrow(/key given twice/);
  });
});

describe("expandScenarios", () => {
  const axes = parseVaryOptions(["weight:root.a=1,2", "policy=fair,drf", "preemption=on,off"]);
  const scenarios = expandScenarios(axes);

  it("builds the cartesian product", () => {
    expect(scenarios).toHaveLength(8);
  });

  it("varies the last axis fastest", () => {
    expect(scenarios.slice(0, 3).map((s) => s.label)).toEqual([
      "weight:root.a=1 policy=fair preemption=on",
      "weight:root.a=1 policy=fair preemption=off",
      "weight:root.a=1 policy=drf preemption=on",
    ]);
  });

  it("gives each scenario a distinct label", () => {
    expect(new Set(scenarios.map((s) => s.label)).size).toBe(8);
  });

  it("numbers scenarios in order", () => {
    expect(scenarios.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("yields one base scenario without axes", () => {
    expect(expandScenarios([])).toEqual([{ index: 0, label: "base", settings: [] }]);
  });

  it("rejects a product above the limit", () => {
    const values = Array.from({ length: 101 }, (_, i) => i).join(",");
    const huge = parseVaryOptions([`weight:root.a=${values}`, `weight:root.b=${values}`]);
    expect(() => expandScenarios(huge)).toThrow(/more than 10000/);
  });
});

const nodes: NodeSpec[] = [
  { name: "v0", capacity: { gpu: 8, cpu: 80 }, gpuType: "V100", topology: "rack-0/v0" },
  { name: "k0", capacity: { gpu: 4, cpu: 40 }, gpuType: "K80", topology: "rack-1/k0" },
  { name: "v1", capacity: { gpu: 8, cpu: 80 }, gpuType: "V100", topology: "rack-0/v1" },
];
const base: ScenarioInputs = {
  queues: [{ name: "root" }, { name: "root.a", weight: 1, minResources: { cpu: 2 } }, { name: "root.b" }],
  nodes,
  preemption: false,
};

describe("applyScenario", () => {
  const [scenario] = expandScenarios(
    parseVaryOptions(["weight:root.a=3", "min:root.a:gpu=4", "max:root.b:gpu=16", "policy=drf", "preemption=on"]),
  );
  const applied = applyScenario(base, scenario);

  it("sets the queue weight", () => {
    expect(applied.queues[1].weight).toBe(3);
  });

  it("merges the min share", () => {
    expect(applied.queues[1].minResources).toEqual({ cpu: 2, gpu: 4 });
  });

  it("sets the max share", () => {
    expect(applied.queues[2].maxResources).toEqual({ gpu: 16 });
  });

  it("sets the run options", () => {
    expect([applied.policy, applied.preemption]).toEqual(["drf", true]);
  });

  it("leaves the base unchanged", () => {
    expect(base.queues[1]).toEqual({ name: "root.a", weight: 1, minResources: { cpu: 2 } });
  });

  it("rejects an unknown queue", () => {
    const [bad] = expandScenarios(parseVaryOptions(["weight:root.zz=2"]));
    expect(() => applyScenario(base, bad)).toThrow(/queue root.zz not found/);
  });
});

describe("validateAxes", () => {
  it("rejects an unknown queue", () => {
    expect(() => validateAxes(parseVaryOptions(["weight:root.zz=2"]), base)).toThrow(/root.zz not found/);
  });

  it("rejects an unknown GPU type", () => {
    expect(() => validateAxes(parseVaryOptions(["gpus:H100=8"]), base)).toThrow(/no node has GPU type H100/);
  });

  it("accepts known names", () => {
    expect(() => validateAxes(parseVaryOptions(["weight:root.a=2", "gpus:K80=8"]), base)).not.toThrow();
  });
});

describe("scaleCluster", () => {
  it("halves each GPU type", () => {
    expect(scaleCluster(nodes, 0.5).map((n) => n.name)).toEqual(["v0", "k0"]);
  });

  it("doubles with copies in copied racks", () => {
    const doubled = scaleCluster(nodes, 2);
    expect(doubled.map((n) => n.name)).toEqual(["v0", "v1", "v0.1", "v1.1", "k0", "k0.1"]);
    expect(doubled[2].topology).toBe("rack-0.1/v0.1");
  });

  it("keeps the cluster at factor 1", () => {
    expect(scaleCluster(nodes, 1)).toHaveLength(3);
  });
});

describe("setGpuTotal", () => {
  const gpusOf = (list: NodeSpec[], type: string) =>
    list.filter((n) => n.gpuType === type).reduce((sum, n) => sum + n.capacity.gpu, 0);

  it.each([0, 4, 8, 12, 16, 20, 40])("sets V100 to %i GPUs", (total) => {
    expect(gpusOf(setGpuTotal(nodes, "V100", total), "V100")).toBe(total);
  });

  it("keeps other types", () => {
    expect(gpusOf(setGpuTotal(nodes, "V100", 40), "K80")).toBe(4);
  });

  it("scales other dimensions of a partial node", () => {
    expect(setGpuTotal(nodes, "V100", 12).find((n) => n.name === "v1")!.capacity).toEqual({ gpu: 4, cpu: 40 });
  });

  it("keeps the input order", () => {
    expect(setGpuTotal(nodes, "V100", 24).map((n) => n.name)).toEqual(["v0", "k0", "v1", "v0.1"]);
  });
});
