import { describe, expect, it } from "vitest";
import { applyQuotas, loadQuotas } from "../../src/traces/quotas.js";
import { traceFile } from "./data.js";

const phillyVcs = traceFile("philly/philly_vc_nodes.csv");
const venusDaily = traceFile("helios/Venus_cluster_gpu_number.csv");
const venusConfig = traceFile("helios/Venus_vc_config_lucid.csv");

describe("quota readers", () => {
  it.skipIf(!phillyVcs.present)("weights Philly VCs by nodes", () => {
    const queues = loadQuotas(`philly:${phillyVcs.path}`);
    expect(queues).toHaveLength(11);
    expect(queues.reduce((sum, queue) => sum + queue.weight!, 0)).toBe(352 * 8);
    expect(queues.find((queue) => queue.name === "root.6214e9")!.weight).toBe(512);
  });

  it.skipIf(!phillyVcs.present)("turns Philly VCs into min shares", () => {
    const queues = loadQuotas(`philly:${phillyVcs.path}`, { mode: "minShare", gpusPerNode: 4 });
    expect(queues.find((queue) => queue.name === "root.ed69ec")).toEqual({ name: "root.ed69ec", minResources: { gpu: 32 } });
  });

  it.skipIf(!venusDaily.present)("reads the last Helios day", () => {
    const queues = loadQuotas(`helios:${venusDaily.path}`, { mode: "both" });
    expect(queues.reduce((sum, queue) => sum + queue.minResources!.gpu, 0)).toBe(1_080);
    expect(queues.every((queue) => queue.weight! > 0)).toBe(true);
  });

  it.skipIf(!venusDaily.present)("reads a chosen Helios day", () => {
    const queues = loadQuotas(`helios:${venusDaily.path}`, { day: "2020-04-01" });
    expect(queues.reduce((sum, queue) => sum + queue.weight!, 0)).toBe(968);
  });

  it.skipIf(!venusDaily.present)("rejects a day outside the table", () => {
    expect(() => loadQuotas(`helios:${venusDaily.path}`, { day: "2021-01-01" })).toThrow(/from 2020-04-01 to 2020-09-28/);
  });

  it.skipIf(!venusConfig.present)("reads Lucid's nodes per VC", () => {
    const queues = loadQuotas(`helios:${venusConfig.path}`);
    expect(queues).toHaveLength(15);
    expect(queues.reduce((sum, queue) => sum + queue.weight!, 0)).toBe(135 * 8);
  });

  it("rejects an unknown kind", () => {
    expect(() => loadQuotas("slurm:/tmp/assoc.csv")).toThrow(/unknown quota kind/);
  });

  it("merges quotas into trace queues", () => {
    const merged = applyQuotas(
      [{ name: "root.b", weight: 1 }, { name: "root.a", weight: 1, maxRunningApps: 5 }],
      [{ name: "root.a", weight: 64 }, { name: "root.c", weight: 8 }],
    );
    expect(merged).toEqual([
      { name: "root.a", weight: 64, maxRunningApps: 5 },
      { name: "root.b", weight: 1 },
      { name: "root.c", weight: 8 },
    ]);
  });
});
