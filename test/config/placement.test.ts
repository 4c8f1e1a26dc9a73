import { describe, expect, test } from "vitest";

import { placeJob, QueueTree } from "../../src/config/index.js";
import type { JobSpec, PlacementRule } from "../../src/model/types.js";
import { inputError } from "./helpers.js";

function tree(...names: string[]): QueueTree {
  const queues = new QueueTree();
  for (const name of names) queues.ensure(name);
  return queues;
}

function job(fields: Partial<JobSpec> = {}): JobSpec {
  return { name: "j1", user: "first.last", groups: ["eng", "ml", "ops"], submitTime: 0, tasks: [], ...fields };
}

describe("rules", () => {
  const table: [string, PlacementRule[], Partial<JobSpec>, string[], string][] = [
    ["specified", [{ name: "specified" }], { queue: "a" }, [], "root.a"],
    ["specified skips default", [{ name: "specified" }, { name: "default", queue: "b" }], { queue: "default" }, [], "root.b"],
    ["user", [{ name: "user" }], {}, [], "root.first_dot_last"],
    ["primaryGroup", [{ name: "primaryGroup" }], {}, [], "root.eng"],
    ["create false passes", [{ name: "primaryGroup", create: false }, { name: "default" }], {}, [], "root.default"],
    ["secondary group", [{ name: "secondaryGroupExistingQueue" }], {}, ["root.ops"], "root.ops"],
    ["nested user", [{ name: "nestedUserQueue", parent: { name: "secondaryGroupExistingQueue" } }], {}, ["root.ml.x"], "root.ml.first_dot_last"],
    ["default", [{ name: "default" }], {}, [], "root.default"],
  ];

  test.each(table)("%s", (_name, policy, fields, existing, expected) => {
    expect(placeJob(job(fields), policy, tree(...existing))).toBe(expected);
  });
});

test("created queue added", () => {
  const queues = tree();
  placeJob(job(), [{ name: "user" }], queues);
  expect(queues.has("root.first_dot_last")).toBe(true);
});

test("reject names job", () => {
  expect(inputError(() => placeJob(job(), [{ name: "reject" }], tree())).message).toContain("job j1");
});

test("exhausted policy rejected", () => {
  expect(inputError(() => placeJob(job(), [{ name: "user", create: false }], tree())).message).toContain("no queue placement rule");
});

test("parent queue rejected", () => {
  expect(inputError(() => placeJob(job({ queue: "a" }), [{ name: "specified" }], tree("root.a.b"))).message).toContain("parent queue");
});
