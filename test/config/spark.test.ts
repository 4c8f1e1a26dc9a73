import { join } from "node:path";

import { expect, test } from "vitest";

import { parseSparkPools } from "../../src/config/index.js";
import { inputError, SHARED, sharedText } from "./helpers.js";

test("template pools", (context) => {
  const text = sharedText(join(SHARED, "configs", "spark-fairscheduler-template.xml"));
  if (text === undefined) return context.skip();
  expect(parseSparkPools(text, "template.xml")).toEqual([
    { name: "root" },
    { name: "root.production", weight: 1, schedulingPolicy: "fair", minResources: { cpu: 2 } },
    { name: "root.test", weight: 2, schedulingPolicy: "fifo", minResources: { cpu: 3 } },
  ]);
});

test("core-test empty pool defaults", (context) => {
  const text = sharedText(join(SHARED, "configs", "spark-fairscheduler-core-test.xml"));
  if (text === undefined) return context.skip();
  expect(parseSparkPools(text, "core-test.xml")[3]).toEqual({ name: "root.3", weight: 1, schedulingPolicy: "fifo" });
});

test("minShare to vcores", () => {
  const xml = `<allocations><pool name="p"><minShare>4</minShare></pool></allocations>`;
  expect(parseSparkPools(xml, "p.xml", { resources: ["memory", "vcores"] })[1].minResources).toEqual({ vcores: 4 });
});

test("bad schedulingMode", () => {
  const xml = `<allocations>\n<pool name="p">\n<schedulingMode>LIFO</schedulingMode></pool></allocations>`;
  const error = inputError(() => parseSparkPools(xml, "p.xml"));
  expect(error.message).toContain('pool p: invalid <schedulingMode> (got "LIFO")');
  expect(error.line).toBe(3);
});

test("unknown pool element", () => {
  const xml = `<allocations><pool name="p"><maxShare>4</maxShare></pool></allocations>`;
  expect(inputError(() => parseSparkPools(xml, "p.xml")).message).toContain("unknown element <maxShare>");
});
