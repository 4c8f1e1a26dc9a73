import { describe, expect, test } from "vitest";

import { InputError } from "../src/errors.js";
import type { JobSpec, NodeSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { Scheduler } from "../src/scheduler.js";

function cluster(): Snapshot {
  return {
    version: 1,
    time: 0,
    resources: ["gpu", "cpu", "memory"],
    nodes: [{ name: "n0", capacity: { gpu: 8, cpu: 64, memory: 512 } }],
    queues: [{ name: "root" }, { name: "root.team" }, { name: "root.team.a" }],
    jobs: [],
  };
}

function job(extra: Record<string, unknown>): JobSpec {
  return { name: "j1", queue: "root.team.a", user: "u", submitTime: 0, tasks: [{ request: { gpu: 1 }, count: 1 }], ...extra } as JobSpec;
}

/** Returns the InputError `run` throws, failing when it throws nothing or something else. */
function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError, but nothing was thrown");
}

describe("Scheduler.submit input", () => {
  test.each([
    ["non-numeric request", { tasks: [{ request: { gpu: "two" }, count: 1 }] }, "tasks[0].request.gpu must be a number", "two"],
    ["negative request", { tasks: [{ request: { gpu: -1 }, count: 1 }] }, "tasks[0].request.gpu must be ≥ 0", -1],
    ["NaN request", { tasks: [{ request: { gpu: NaN }, count: 1 }] }, "tasks[0].request.gpu must be a number", "NaN"],
    ["undeclared dimension", { tasks: [{ request: { tpu: 1 }, count: 1 }] }, 'resource dimension "tpu" is not declared', "tpu"],
    ["zero count", { tasks: [{ request: { gpu: 1 }, count: 0 }] }, "tasks[0].count must be ≥ 1", 0],
    ["fractional count", { tasks: [{ request: { gpu: 1 }, count: 1.5 }] }, "tasks[0].count must be a whole number", 1.5],
    ["negative count", { tasks: [{ request: { gpu: 1 }, count: -2 }] }, "tasks[0].count must be", -2],
    ["unknown queue", { queue: "root.nope" }, "unknown queue root.nope", "root.nope"],
    ["parent queue", { queue: "root.team" }, "queue root.team is a parent queue", "root.team"],
  ])("%s", (_name, extra, problem, value) => {
    const error = inputError(() => Scheduler.fromSnapshot(cluster()).submit(job(extra)));
    expect(error.message).toContain(problem);
    expect(error.item).toBe("job j1");
    expect(error.value).toEqual(value);
    expect(error.fix).toBeTruthy();
  });

  test("rejected job leaves demand", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    inputError(() => scheduler.submit(job({ tasks: [{ request: { gpu: "two" }, count: 1 }] })));
    scheduler.submit(job({ name: "j2" }));
    const team = scheduler.shares().find((queue) => queue.name === "root.team.a");
    expect(team?.demand.gpu).toBe(1);
  });

  test("valid job accepted", () => {
    const scheduler = Scheduler.fromSnapshot(cluster());
    scheduler.submit(job({}));
    expect(scheduler.schedule().placements).toHaveLength(1);
  });
});

describe("Scheduler.addNode input", () => {
  test.each([
    ["non-numeric capacity", { name: "n1", capacity: { gpu: "eight" } }, "capacity.gpu must be a number", "eight"],
    ["negative capacity", { name: "n1", capacity: { gpu: -8 } }, "capacity.gpu must be ≥ 0", -8],
    ["undeclared dimension", { name: "n1", capacity: { tpu: 4 } }, 'resource dimension "tpu" is not declared', "tpu"],
  ])("%s", (_name, node, problem, value) => {
    const error = inputError(() => Scheduler.fromSnapshot(cluster()).addNode(node as unknown as NodeSpec));
    expect(error.message).toContain(problem);
    expect(error.item).toBe("node n1");
    expect(error.value).toEqual(value);
  });
});

describe("Scheduler.updateQueue input", () => {
  test.each([
    ["negative weight", { name: "root.team.a", weight: -1 }, "weight must be ≥ 0", -1],
    ["non-numeric weight", { name: "root.team.a", weight: "heavy" }, "weight must be a number", "heavy"],
    ["min above max", { name: "root.team.a", minResources: { gpu: 4 }, maxResources: { gpu: 2 } }, "minResources.gpu 4 is above maxResources.gpu 2", { dimension: "gpu", min: 4, max: 2 }],
    ["undeclared dimension", { name: "root.team.a", maxResources: { tpu: 2 } }, 'resource dimension "tpu" is not declared', "tpu"],
  ])("%s", (_name, spec, problem, value) => {
    const error = inputError(() => Scheduler.fromSnapshot(cluster()).updateQueue(spec as unknown as QueueSpec));
    expect(error.message).toContain(problem);
    expect(error.item).toBe("queue root.team.a");
    expect(error.value).toEqual(value);
  });
});
