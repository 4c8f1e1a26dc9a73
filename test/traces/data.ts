/**
 * Locates the public trace files that the reader tests run against. They are not part of the
 * repository: they are read from the shared folder beside the checkout (see ../shared-data.ts),
 * or from FAIRSCHED_TRACES when it is set. A missing
 * file skips the tests that need it, except under CI=true, where it fails them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "../shared-data.js";

export const TRACES_DIR = process.env.FAIRSCHED_TRACES ?? sharedPath("traces");

/** Returns the absolute path of a trace file, and whether the tests that need it should run. */
export function traceFile(relativePath: string): { path: string; present: boolean } {
  const path = join(TRACES_DIR, relativePath);
  const present = existsSync(path);
  if (!present && process.env.CI === "true") {
    throw new Error(`trace file missing under CI: ${path}. Set FAIRSCHED_TRACES to the folder of the public GPU traces`);
  }
  return { path, present };
}
