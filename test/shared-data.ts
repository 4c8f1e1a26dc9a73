/**
 * Locates the shared inputs (cases, configs, traces) that tests read in place. They live in
 * `../shared` beside the checkout unless FAIRSCHED_SHARED points elsewhere; they are never
 * copied into the repository.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Absolute path of the shared folder. */
export const SHARED_DIR = process.env.FAIRSCHED_SHARED ?? resolve(repoRoot, "../shared");

/** Returns the absolute path of `relative` inside the shared folder. */
export function sharedPath(relative: string): string {
  return join(SHARED_DIR, relative);
}

/**
 * Returns true when `path` exists. Under CI=true a missing file throws, so a test that needs
 * real data fails instead of skipping; elsewhere the caller may skip.
 */
export function sharedFileAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI === "true") {
    throw new Error(`shared input missing under CI: ${path}. Put the shared folder beside the checkout or set FAIRSCHED_SHARED`);
  }
  return false;
}
