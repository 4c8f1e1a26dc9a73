import { existsSync, readFileSync } from "node:fs";

import { InputError } from "../../src/errors.js";
import { SHARED_DIR } from "../shared-data.js";

export const SHARED = SHARED_DIR;

/** Returns the file's text, or undefined when it is missing outside CI (the test then skips). */
export function sharedText(path: string): string | undefined {
  if (existsSync(path)) return readFileSync(path, "utf8");
  if (process.env.CI === "true") throw new Error(`shared input missing in CI: ${path}`);
  return undefined;
}

/** Returns the InputError `run` throws, failing when it throws nothing or something else. */
export function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError, but nothing was thrown");
}
