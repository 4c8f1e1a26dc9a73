/** Input readers: native snapshots, YARN and Spark allocation files (format detected), queue placement. */
export {
  loadSnapshot,
  parseSnapshot,
  validateJob,
  validateNode,
  validateQueue,
  type ItemCheckContext,
  type SnapshotOptions,
} from "./snapshot.js";
export { loadAllocationFile, parseAllocationFile, type AllocationFile, type YarnOptions } from "./yarn.js";
export {
  detectConfigFormat,
  loadQueueConfig,
  parseQueueConfig,
  type ConfigFormat,
  type QueueConfig,
  type QueueConfigOptions,
} from "./queue-config.js";
export { loadSparkPools, parseSparkPools, type SparkOptions } from "./spark.js";
export { placeJob, DEFAULT_PLACEMENT_POLICY, PLACEMENT_RULES, type PlacementQueues } from "./placement.js";
export { parseYarnResources, cpuDimension, type YarnResourceValue } from "./yarn-resources.js";
export { applyQueueDefaults, fullQueueName, QueueTree } from "./queues.js";
