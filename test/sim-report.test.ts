import { describe, expect, it } from "vitest";
import type { NodeSpec } from "../src/model/types.js";
import { computeMetrics } from "../src/sim/metrics.js";
import { buildHtmlReport } from "../src/sim/report-html.js";
import { buildJsonReport, stringifyJsonReport } from "../src/sim/report-json.js";
import { simulate } from "../src/sim/simulator.js";
import { formatDuration, formatSummary } from "../src/sim/summary.js";
import type { TraceJob } from "../src/traces/types.js";
import { FakeScheduler } from "./sim-fake-scheduler.js";

function smallRun() {
  const jobs: TraceJob[] = ["root.a", "root.b", "root.a"].map((queue, i) => ({
    name: `j${i}`,
    queue,
    user: "u",
    submitTime: i * 10,
    taskCount: i + 1,
    request: { gpu: 1, cpu: 1, memory: 1024 },
    gang: i > 0,
    duration: 600,
  }));
  const nodes: NodeSpec[] = [{ name: "n1", capacity: { gpu: 2, cpu: 8, memory: 65536 }, gpuType: "V100" }];
  const result = simulate(
    {
      trace: { jobs, queues: [{ name: "root.a" }, { name: "root.b" }], skipped: {}, adjusted: {}, notes: ["a note"] },
      cluster: { nodes, skipped: {}, notes: [] },
    },
    (snapshot) => new FakeScheduler(snapshot),
    { sampleInterval: 60 },
  );
  return { result, metrics: computeMetrics(result) };
}

describe("simulation reports", () => {
  it("summary lists every queue and size group", () => {
    const { result, metrics } = smallRun();
    const summary = formatSummary(result, metrics);
    expect(summary).toMatch(/^queue root\.a /m);
    expect(summary).toMatch(/^queue root\.b /m);
    expect(summary).toMatch(/^size 1 GPU /m);
    expect(summary).toMatch(/^size 2-4 GPUs /m);
    expect(summary).toMatch(/unfinished: 1 jobs: no node fits/);
  });

  it.each([
    [5, "5.0 s"],
    [90, "1.5 min"],
    [7200, "2.0 h"],
    [172800, "2.0 d"],
  ])("formats %d seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("JSON report carries metrics, samples and jobs", () => {
    const { result, metrics } = smallRun();
    const parsed = JSON.parse(stringifyJsonReport(buildJsonReport(result, metrics)));
    expect(parsed.metrics.jobs.total).toBe(3);
    expect(parsed.jobs).toHaveLength(3);
    expect(parsed.samples.queues.map((queue: { name: string }) => queue.name)).toEqual(["root.a", "root.b"]);
    expect(parsed.conservation.overCapacityEvents).toBe(0);
    expect(parsed.inputs.notes).toEqual(["a note"]);
  });

  it("HTML report is self-contained", () => {
    const { result, metrics } = smallRun();
    const html = buildHtmlReport(result, metrics);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link /i);
    expect(html).toContain("Chart.defaults.animation = false");
    expect(html).toMatch(/Chart\.js v4/);
  });

  it("HTML report embeds each queue's series", () => {
    const { result, metrics } = smallRun();
    const html = buildHtmlReport(result, metrics);
    const data = JSON.parse(html.match(/const data = (.*);\n/)![1]);
    expect(data.queues.map((queue: { name: string }) => queue.name)).toEqual(["root.a", "root.b"]);
    expect(data.utilisation.length).toBe(data.hours.length);
    expect(data.jct[0].points.at(-1)[1]).toBe(1);
  });

  it("HTML page script compiles", () => {
    const { result, metrics } = smallRun();
    const html = buildHtmlReport(result, metrics);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
    expect(scripts).toHaveLength(2);
    for (const script of scripts) expect(() => new Function(script)).not.toThrow();
  });
});
