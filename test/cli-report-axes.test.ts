// Axes and overlapping series of the HTML reports that `simulate --report` and `whatif --report` write.
import { describe, expect, it } from "vitest";

import { durationAxis, formatDurationTick } from "../src/sim/report-html.js";
import { markOverlaps } from "../src/whatif/report-html.js";

describe("JCT duration axis", () => {
  it.each([
    [1, "1 s"],
    [30, "30 s"],
    [600, "10 min"],
    [21600, "6 h"],
    [604800, "7 d"],
  ])("labels %d seconds as %s", (seconds, label) => {
    expect(formatDurationTick(seconds)).toBe(label);
  });

  it.each([
    [0.5, 40e6],
    [1, 3600],
    [130, 500],
    [5, 2e6],
  ])("covers %d to %d seconds", (low, high) => {
    const axis = durationAxis(low, high);
    expect(axis.min).toBeLessThanOrEqual(Math.max(low, 1));
    expect(axis.max).toBeGreaterThanOrEqual(high);
    expect(axis.ticks.length).toBeGreaterThanOrEqual(2);
    expect(axis.ticks.length).toBeLessThanOrEqual(10);
  });

  it("labels ticks in whole units", () => {
    const labels = durationAxis(1, 40e6).ticks.map((tick) => tick.label);
    for (const label of labels) expect(label).toMatch(/^\d+ (s|min|h|d)$/);
  });

  it("keeps ticks inside the axis", () => {
    const axis = durationAxis(130, 500);
    for (const tick of axis.ticks) {
      expect(tick.value).toBeGreaterThanOrEqual(axis.min);
      expect(tick.value).toBeLessThanOrEqual(axis.max);
    }
  });
});

describe("what-if overlapping series", () => {
  it("dashes repeated series", () => {
    const series = [
      { label: "policy=fair", values: [1, 2] },
      { label: "policy=fifo", values: [1, 2] },
      { label: "policy=drf", values: [3, 4] },
    ];
    markOverlaps(series);
    expect(series[0].dash).toBeUndefined();
    expect(series[1].dash).toBeDefined();
    expect(series[2].dash).toBeUndefined();
  });

  it("notes identical series", () => {
    const note = markOverlaps([
      { label: "a", values: [1, null] },
      { label: "b", values: [1, null] },
      { label: "c", values: [2, 2] },
      { label: "d", values: [2, 2] },
    ]);
    expect(note).toContain("a = b");
    expect(note).toContain("c = d");
  });

  it("gives distinct series no note", () => {
    expect(markOverlaps([{ label: "a", values: [1] }, { label: "b", values: [2] }])).toBeUndefined();
  });
});
