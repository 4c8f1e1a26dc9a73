import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

import { describe, expect, test } from "vitest";
import { parse } from "yaml";

import { parseSnapshot } from "../../src/config/index.js";
import { sharedFileAvailable, sharedPath } from "../shared-data.js";
import { inputError } from "./helpers.js";

const CASES = sharedPath("cases");
/** False when the shared cases are missing outside CI; under CI=true a missing folder throws here. */
const present = sharedFileAvailable(CASES);

/** Returns [name, path] pairs, so test names show the case's name. */
function caseFiles(folder: string): [string, string][] {
  if (!present) return [];
  const dir = join(CASES, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => [basename(name, ".yaml"), join(dir, name)]);
}

function caseText(file: string): string {
  return readFileSync(file, "utf8");
}

describe.runIf(present)("invalid cases", () => {
  test.each(caseFiles("invalid"))("%s fails", (_name, file) => {
    const text = caseText(file);
    const expected = (parse(text) as { expect: { error: string[] } }).expect.error;
    const error = inputError(() => parseSnapshot(text, file, undefined, { at: "snapshot" }));

    expect(error.message).toContain(file);
    for (const fragment of expected) expect(error.message).toContain(fragment);
  });

  test.each(caseFiles("invalid"))("%s names a line", (_name, file) => {
    const error = inputError(() => parseSnapshot(caseText(file), file, undefined, { at: "snapshot" }));
    expect(error.line).toBeGreaterThan(3);
  });
});

describe.runIf(present)("valid cases", () => {
  const valid = [...caseFiles("shares"), ...caseFiles("schedule"), ...caseFiles("preempt")];

  test.each(valid)("%s loads", (_name, file) => {
    const snapshot = parseSnapshot(caseText(file), file, undefined, { at: "snapshot" });
    expect(snapshot.queues[0].name).toBe("root");
  });

  test.each(valid)("%s loads as JSON", (_name, file) => {
    const data = (parse(caseText(file)) as { snapshot: unknown }).snapshot;
    const snapshot = parseSnapshot(JSON.stringify(data), "snapshot.json");
    expect(snapshot.version).toBe(1);
  });
});
