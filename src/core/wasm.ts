/**
 * Loads the compiled core and instantiates it against a memory the host owns.
 *
 * fairsched uses neither `@assemblyscript/loader` nor the compiler's generated bindings: every
 * export takes and returns plain numbers, the host must pass an imported (shared) memory, and
 * the serverless path needs synchronous instantiation. `WebAssembly.Instance` covers all three.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The raw exports of `assembly/index.ts`. Only `src/core/` may call these. */
export interface CoreExports {
  heapBase(): number;
  bindLayout(directory: number): void;
  [name: string]: unknown;
}

export type CoreBuild = "release" | "debug";

const moduleCache = new Map<CoreBuild, WebAssembly.Module>();

/** Returns the path of the built `.wasm` file, which `npm run build:wasm` writes. */
export function wasmPath(build: CoreBuild = "release"): string {
  const file = build === "release" ? "fairsched.wasm" : "fairsched.debug.wasm";
  return fileURLToPath(new URL(`../../build/${file}`, import.meta.url));
}

/** Compiles the core once per process and build; later calls return the cached module. */
export function compileCore(build: CoreBuild = "release"): WebAssembly.Module {
  let module = moduleCache.get(build);
  if (module) return module;

  let bytes: Buffer;
  try {
    bytes = readFileSync(wasmPath(build));
  } catch (cause) {
    throw new Error(
      `cannot read the WebAssembly core at ${wasmPath(build)}: ${(cause as Error).message}. ` +
        "Run `npm run build` (npm install does it) to compile it",
    );
  }
  module = new WebAssembly.Module(new Uint8Array(bytes));
  moduleCache.set(build, module);
  return module;
}

/** Memory pages of 64 KiB each. */
export const PAGE_BYTES = 65536;

/** The largest memory the core declares, in pages (4 GiB). */
export const MAX_PAGES = 65536;

/**
 * Creates a shared memory of at least `bytes` that worker threads can also instantiate the
 * core against. Its size is fixed (initial = maximum): a grown shared memory leaves older
 * views at their old length, so a state that outgrows it moves to a new memory instead.
 */
export function createMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  if (pages > MAX_PAGES) {
    throw new RangeError(`state needs ${bytes} bytes, more than the core's 4 GiB limit`);
  }
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Instantiates the core synchronously against `memory`; about 0.2 ms once compiled. */
export function instantiateCore(
  memory: WebAssembly.Memory,
  module: WebAssembly.Module = compileCore(),
): CoreExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(messagePointer: number, filePointer: number, line: number, column: number) {
        throw new Error(`core assertion failed at line ${line}:${column} (debug build)`);
      },
    },
  });
  return instance.exports as unknown as CoreExports;
}
