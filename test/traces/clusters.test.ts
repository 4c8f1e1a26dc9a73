import { describe, expect, it } from "vitest";
import { loadCluster } from "../../src/traces/clusters.js";
import type { Cluster } from "../../src/traces/types.js";
import { traceFile } from "./data.js";

const philly = traceFile("philly/cluster_machine_list.csv");
const openbAll = traceFile("alibaba-gpu-2023/openb_node_list_all_node.csv");
const openbGpu = traceFile("alibaba-gpu-2023/openb_node_list_gpu_node.csv");
const pai = traceFile("alibaba-pai-gpu-2020/pai_machine_spec.csv");
const spot = traceFile("alibaba-spot-gpu-2026/node_info_df.csv");

function totalGpus(cluster: Cluster): number {
  return cluster.nodes.reduce((sum, node) => sum + node.capacity.gpu, 0);
}

function nodesByType(cluster: Cluster): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of cluster.nodes) counts[node.gpuType ?? "CPU-only"] = (counts[node.gpuType ?? "CPU-only"] ?? 0) + 1;
  return counts;
}

describe("cluster readers on machine lists", () => {
  it.skipIf(!philly.present)("reads Philly's 552 machines", () => {
    const cluster = loadCluster(`philly:${philly.path}`);
    expect(cluster.nodes).toHaveLength(552);
    expect(totalGpus(cluster)).toBe(2_490);
    expect(cluster.nodes.filter((node) => node.capacity.gpu === 8)).toHaveLength(231);
    expect(cluster.skipped).toEqual({});
  });

  it.skipIf(!openbAll.present)("reads the openb node list", () => {
    const cluster = loadCluster(`alibaba2023:${openbAll.path}`);
    expect(cluster.nodes).toHaveLength(1_523);
    expect(totalGpus(cluster)).toBe(6_212);
    expect(nodesByType(cluster)).toEqual({
      G2: 549,
      T4: 404,
      "CPU-only": 310,
      P100: 134,
      V100M16: 55,
      G3: 39,
      V100M32: 30,
      A10: 2,
    });
  });

  it.skipIf(!openbGpu.present)("reads the openb GPU nodes", () => {
    const cluster = loadCluster(`alibaba2023:${openbGpu.path}`);
    expect(cluster.nodes).toHaveLength(1_213);
    expect(totalGpus(cluster)).toBe(6_212);
  });

  it.skipIf(!pai.present)("reads the PAI 2020 machine spec", () => {
    const cluster = loadCluster(`pai2020:${pai.path}`);
    expect(cluster.nodes).toHaveLength(1_897);
    expect(totalGpus(cluster)).toBe(6_742);
    expect(nodesByType(cluster)).toEqual({ P100: 798, T4: 497, MISC: 280, V100M32: 135, V100: 104, "CPU-only": 83 });
  });

  it.skipIf(!spot.present)("reads the spot node list", () => {
    const cluster = loadCluster(`spot2026:${spot.path}`);
    expect(cluster.nodes).toHaveLength(4_278);
    expect(totalGpus(cluster)).toBe(10_412);
    expect(nodesByType(cluster).A10).toBe(2_494);
  });

  it.skipIf(!philly.present)("puts every node in a rack of one size", () => {
    const cluster = loadCluster(`philly:${philly.path}`, { rackSize: 8 });
    const racks = new Map<string, Set<number>>();
    for (const node of cluster.nodes) {
      const [rack, name] = node.topology!.split("/");
      expect(name).toBe(node.name);
      racks.set(rack, (racks.get(rack) ?? new Set()).add(node.capacity.gpu));
    }
    for (const sizes of racks.values()) expect(sizes.size).toBe(1);
    expect(racks.size).toBe(Math.ceil(321 / 8) + Math.ceil(231 / 8));
  });
});

describe("cluster compact form", () => {
  it("builds Gavel's heterogeneous cluster", () => {
    const cluster = loadCluster("v100:300,p100:300,k80:300");
    expect(cluster.nodes).toHaveLength(225);
    expect(totalGpus(cluster)).toBe(900);
    expect(nodesByType(cluster)).toEqual({ V100: 75, P100: 75, K80: 75 });
  });

  it("accepts GPUs per node", () => {
    const cluster = loadCluster("v100:20/8");
    expect(cluster.nodes.map((node) => node.capacity.gpu)).toEqual([8, 8, 4]);
  });

  it("rejects an unknown kind", () => {
    expect(() => loadCluster("yarn:/tmp/nodes.csv")).toThrow(/unknown cluster kind/);
  });

  it("rejects a missing machine list", () => {
    expect(() => loadCluster("philly:/nonexistent/machines.csv")).toThrow(/file not found/);
  });

  it("rejects a repeated GPU type", () => {
    expect(() => loadCluster("v100:8,V100:8")).toThrow(/List each GPU type once/);
  });

  it("rejects a type with no GPUs", () => {
    expect(() => loadCluster("v100:8,h100:0")).toThrow(/at least 1 GPU/);
  });
});
