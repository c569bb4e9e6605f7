export { CorruptRecordError } from './chunks.js';
export { DynamoStore, type DynamoStoreOptions } from './dynamo-store.js';
export { MAX_EVENT_BYTES, TransactionTooLargeError } from './limits.js';
export {
  backfillPendingIndex,
  type PendingBackfillOptions,
  type PendingBackfillProgress,
} from './pending-backfill.js';
export { headItemAttributes } from './records.js';
export {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_MAX_LIFETIME_SECONDS,
  type Retention,
} from './retention.js';
export type { DynamoStoreStats } from './store-context.js';
export {
  ATTRIBUTES,
  createTable,
  EXPIRES_AT_ATTRIBUTE,
  LIST_INDEX_NAME,
  PENDING_INDEX_NAME,
  PENDING_SHARDS,
  tableDefinition,
} from './table.js';
