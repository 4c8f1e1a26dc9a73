/**
 * Connects the simulator to the library's WebAssembly-backed `Scheduler`, the same one that
 * embedders use, so a simulation exercises the real allocation and preemption passes.
 */
import { Scheduler } from "../scheduler.js";
import type { SchedulerFactory } from "./types.js";

/** Builds the library's `Scheduler` from a simulation's starting snapshot. */
export const createCoreScheduler: SchedulerFactory = (snapshot) => Scheduler.fromSnapshot(snapshot);

/** The same factory under the name that scheduler modules loaded by URL export. */
export const createScheduler: SchedulerFactory = createCoreScheduler;
