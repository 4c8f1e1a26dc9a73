/**
 * Candidate scoring: simulates the next `horizon` seconds from a scheduler's current state once
 * per candidate action, in parallel, and returns each candidate's metrics.
 */
import type { SchedulerFactory } from "../sim/types.js";

export interface CandidateTask {
  kind: "candidate";
}

/** Runs one candidate in a worker. */
export async function runCandidate(task: CandidateTask, loadFactory: (url: string) => Promise<SchedulerFactory>): Promise<unknown> {
  void task;
  void loadFactory;
  throw new Error("candidate scoring is not available yet");
}
