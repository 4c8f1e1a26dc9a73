// Derived state: node free space, job and queue usage, queue demand and activity.
//
// The host writes inputs (capacities, requests, allocations, pending counts); `refreshState`
// recomputes everything derived from them in O(nodes + jobs + groups + allocs + queues).
// The allocation pass then keeps these columns up to date incrementally as it places tasks.

import {
  ALLOC_LIVE, DIMS, JOB_RUNNING, NONE, QUEUE_ACTIVE, TASK_AM,
  allocCount, allocFlags, allocJob, allocNode, allocRequest,
  groupCount, groupJob, groupPending, groupRequest,
  jobCount, jobFlags, jobQueue, jobRunningTasks, jobSubmitTime, jobUsage, jobPendingTasks,
  nodeCapacity, nodeCount, nodeFree,
  queueAmUsage, queueCount, queueDemand, queueFlags, queueParent, queueRunningApps, queueStartTime, queueUsage,
  setJobFlags, setJobRunningTasks, setJobUsage,
  setNodeFree,
  setQueueAmUsage, setQueueDemand, setQueueFlags, setQueueRunningApps, setQueueStartTime, setQueueUsage,
} from "./layout";

/** Recomputes node free space, job usage and every queue's usage, demand and activity. */
export function refreshState(): void {
  const dims = DIMS;
  const nodes = nodeCount();
  const jobs = jobCount();
  const queues = queueCount();

  // 1. Start from empty: nodes fully free, jobs and queues with nothing.
  for (let n = 0; n < nodes; n++) {
    for (let d = 0; d < dims; d++) setNodeFree(n, d, nodeCapacity(n, d));
  }
  for (let j = 0; j < jobs; j++) {
    for (let d = 0; d < dims; d++) setJobUsage(j, d, 0);
    setJobRunningTasks(j, 0);
  }
  for (let q = 0; q < queues; q++) {
    for (let d = 0; d < dims; d++) {
      setQueueUsage(q, d, 0);
      setQueueAmUsage(q, d, 0);
      setQueueDemand(q, d, 0);
    }
    setQueueRunningApps(q, 0);
    setQueueStartTime(q, Infinity);
    setQueueFlags(q, queueFlags(q) & ~QUEUE_ACTIVE);
  }

  // 2. Live allocations take node space and count toward their job and leaf queue.
  const allocs = allocCount();
  for (let a = 0; a < allocs; a++) {
    const flags = allocFlags(a);
    if ((flags & ALLOC_LIVE) == 0) continue;
    const j = allocJob(a);
    const n = allocNode(a);
    const q = jobQueue(j);
    for (let d = 0; d < dims; d++) {
      const r = allocRequest(a, d);
      setNodeFree(n, d, nodeFree(n, d) - r);
      setJobUsage(j, d, jobUsage(j, d) + r);
      setQueueUsage(q, d, queueUsage(q, d) + r);
      setQueueDemand(q, d, queueDemand(q, d) + r);
      if (flags & TASK_AM) setQueueAmUsage(q, d, queueAmUsage(q, d) + r);
    }
    setJobRunningTasks(j, jobRunningTasks(j) + 1);
  }

  // 3. Pending tasks add to their leaf queue's demand.
  const groups = groupCount();
  for (let g = 0; g < groups; g++) {
    const pending = groupPending(g);
    if (pending <= 0) continue;
    const q = jobQueue(groupJob(g));
    for (let d = 0; d < dims; d++) {
      setQueueDemand(q, d, queueDemand(q, d) + <f64>pending * groupRequest(g, d));
    }
  }

  // 4. Job flags, running apps and activity of leaf queues.
  for (let j = 0; j < jobs; j++) {
    const q = jobQueue(j);
    const running = jobRunningTasks(j) > 0;
    setJobFlags(j, running ? jobFlags(j) | JOB_RUNNING : jobFlags(j) & ~JOB_RUNNING);
    if (running) setQueueRunningApps(q, queueRunningApps(q) + 1);
    if (running || jobPendingTasks(j) > 0) {
      setQueueFlags(q, queueFlags(q) | QUEUE_ACTIVE);
      const submit = jobSubmitTime(j);
      if (submit < queueStartTime(q)) setQueueStartTime(q, submit);
    }
  }

  // 5. Roll everything up the tree. Rows are ordered parents before children, so a reverse
  //    walk visits every child before its parent.
  for (let q = queues - 1; q > 0; q--) {
    const p = queueParent(q);
    if (p == NONE) continue;
    for (let d = 0; d < dims; d++) {
      setQueueUsage(p, d, queueUsage(p, d) + queueUsage(q, d));
      setQueueAmUsage(p, d, queueAmUsage(p, d) + queueAmUsage(q, d));
      setQueueDemand(p, d, queueDemand(p, d) + queueDemand(q, d));
    }
    setQueueRunningApps(p, queueRunningApps(p) + queueRunningApps(q));
    if (queueFlags(q) & QUEUE_ACTIVE) setQueueFlags(p, queueFlags(p) | QUEUE_ACTIVE);
    if (queueStartTime(q) < queueStartTime(p)) setQueueStartTime(p, queueStartTime(q));
  }
}
