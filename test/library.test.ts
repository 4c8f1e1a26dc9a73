import { describe, expect, test } from "vitest";
import { fileURLToPath } from "node:url";

import { Scheduler, computeShares, decide, loadSnapshot } from "../src/index.js";

const example = fileURLToPath(new URL("../examples/gpu-cluster.yaml", import.meta.url));

describe("library entry", () => {
  test("decide places work and explains what waits", () => {
    const snapshot = loadSnapshot(example);
    const decision = decide(snapshot);

    expect(decision.placements.length).toBeGreaterThan(0);
    for (const pending of decision.pending) expect(pending.reason.length).toBeGreaterThan(0);
  });

  test("etl queue capped at zero GPUs gets none", () => {
    const decision = decide(loadSnapshot(example));
    const etlGpus = decision.placements.filter((p) => p.job === "nightly-etl").reduce((sum, p) => sum + (p.request.gpu ?? 0), 0);

    expect(etlGpus).toBe(0);
  });

  test("Scheduler agrees with decide on the first pass", () => {
    const snapshot = loadSnapshot(example);
    const scheduler = Scheduler.fromSnapshot(snapshot);
    const incremental = scheduler.schedule();
    const stateless = decide(snapshot);

    const key = (p: { job: string; node: string }) => `${p.job}@${p.node}`;
    expect(incremental.placements.map(key)).toEqual(stateless.placements.map(key));
  });

  test("root fair share equals the cluster", () => {
    const shares = computeShares(loadSnapshot(example));
    const root = shares.find((q) => q.name === "root")!;

    expect(root.fairShare.gpu).toBe(8 * 8 + 16 * 8);
  });
});

describe("decide clocks", () => {
  test("returns clocks for every queue", () => {
    const snapshot = loadSnapshot(example);
    const decision = decide(snapshot);

    const expected = new Set(["root", ...snapshot.queues.map((q) => q.name)]);

    expect(new Set(decision.queues?.map((q) => q.name))).toEqual(expected);
  });
});
