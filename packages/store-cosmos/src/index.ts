export { type BatchLimits, COSMOS_BATCH_LIMITS } from './commit-plan.js';
export { type ContainerNames, containerDefinition } from './container-definition.js';
export type { CosmosStoreStats } from './cosmos-gateway.js';
export { CosmosStore, type CosmosStoreOptions } from './cosmos-store.js';
export {
  backfillPendingIndex,
  type PendingBackfillOptions,
  type PendingBackfillProgress,
} from './pending-backfill.js';
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_MAX_LIFETIME_SECONDS, type Retention } from './retention.js';
