/**
 * One state region in a shared WebAssembly memory, with a typed-array view per column and a core
 * instance bound to it. This is the only place that turns byte offsets into views; everything
 * else reads and writes columns by name (`state.f64("queue.weight")`).
 */
import { COLUMNS, planLayout, type Capacities, type ElementType, type LayoutPlan, type PlannedColumn } from "./layout.js";
import { compileCore, createMemory, instantiateCore, type CoreExports } from "./wasm.js";

type View = Uint8Array | Int32Array | Float64Array;

/** A column's key, `table.name`, for example `queue.weight` or `header.dims`. */
export type ColumnKey = string;

export class CoreState {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly plan: LayoutPlan;
  readonly capacities: Capacities;
  private readonly views = new Map<ColumnKey, View>();
  private readonly columns = new Map<ColumnKey, PlannedColumn>();

  /**
   * Creates a state for the given table sizes in a new memory (or in `memory` at `base`, for a
   * worker that shares a memory laid out by another thread) and binds a core instance to it.
   */
  constructor(
    capacities: Capacities,
    options: { memory?: WebAssembly.Memory; base?: number; module?: WebAssembly.Module } = {},
  ) {
    this.capacities = { ...capacities };
    const module = options.module ?? compileCore();

    // 1. Find where the region starts: above the module's static data. A throwaway instance on
    //    a small memory reports that address without touching the real one.
    const probeBase = options.base ?? heapBaseOf(module);
    this.plan = planLayout(this.capacities, probeBase);

    // 2. Size or reuse the memory, then instantiate the core against it.
    this.memory = options.memory ?? createMemory(this.plan.end);
    if (this.memory.buffer.byteLength < this.plan.end) {
      throw new RangeError(
        `shared memory of ${this.memory.buffer.byteLength} bytes is smaller than the state (${this.plan.end} bytes)`,
      );
    }
    this.core = instantiateCore(this.memory, module);

    // 3. Create the views and the directory, then point the core's accessors at them.
    for (const column of this.plan.columns) {
      const key = `${column.table}.${column.name}`;
      this.columns.set(key, column);
      this.views.set(key, makeView(this.memory.buffer, column.type, column.offset, column.length));
    }
    if (options.memory === undefined) this.writeDirectory();
    this.i32("header.dims")[0] = capacities.dims;
    this.core.bindLayout(this.plan.directory);
  }

  /** Writes each column's byte offset into the directory the core reads at bind time. */
  private writeDirectory(): void {
    const directory = new Uint32Array(this.memory.buffer, this.plan.directory, COLUMNS.length);
    this.plan.columns.forEach((column, index) => {
      directory[index] = column.offset;
    });
  }

  /** Returns the f64 view of a column; throws when the column is missing or of another type. */
  f64(key: ColumnKey): Float64Array {
    return this.view(key, "f64") as Float64Array;
  }

  i32(key: ColumnKey): Int32Array {
    return this.view(key, "i32") as Int32Array;
  }

  u8(key: ColumnKey): Uint8Array {
    return this.view(key, "u8") as Uint8Array;
  }

  get dims(): number {
    return this.capacities.dims;
  }

  private view(key: ColumnKey, type: ElementType): View {
    const column = this.columns.get(key);
    if (!column) throw new Error(`no column ${key} in the state layout`);
    if (column.type !== type) throw new Error(`column ${key} is ${column.type}, not ${type}`);
    return this.views.get(key)!;
  }

  /** Calls a core export by name; the exports take and return numbers only. */
  call(name: string, ...args: number[]): number {
    const fn = this.core[name];
    if (typeof fn !== "function") throw new Error(`the WebAssembly core has no export ${name}; rebuild with npm run build`);
    return (fn as (...a: number[]) => number)(...args);
  }
}

function makeView(buffer: ArrayBufferLike, type: ElementType, offset: number, length: number): View {
  switch (type) {
    case "u8":
      return new Uint8Array(buffer, offset, length);
    case "i32":
      return new Int32Array(buffer, offset, length);
    case "f64":
      return new Float64Array(buffer, offset, length);
  }
}

const heapBaseCache = new WeakMap<WebAssembly.Module, number>();

/** Returns the first byte a state region may use in memories this module is instantiated on. */
export function heapBaseOf(module: WebAssembly.Module): number {
  let base = heapBaseCache.get(module);
  if (base === undefined) {
    base = instantiateCore(createMemory(65536), module).heapBase() >>> 0;
    heapBaseCache.set(module, base);
  }
  return base;
}
