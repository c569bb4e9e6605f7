export {
  type AzureAppHooks,
  type AzureBaton,
  createAzureBaton,
  modelFromEnvironment,
  storeFromEnvironment,
} from './azure-baton.js';
export { cosmosStoreFromEnvironment } from './cosmos-from-environment.js';
export { type Environment, type HostSettings, hostSettings, timeSpanMs } from './host-settings.js';
export { type AzureHttpHandler, createHttpHandler, type HttpHandlerOptions } from './http-handler.js';
export { createPoisonQueueHandler, type PoisonQueueHandlerOptions } from './poison-queue-handler.js';
export { invocationOwner, type QueueDelivery, queueDelivery } from './queue-delivery.js';
export { encodeRunMessage, type ParsedRunMessage, parseRunMessage } from './run-message.js';
export {
  type AzureQueueHandler,
  createRunQueueHandler,
  failureKey,
  type RunQueueHandlerOptions,
} from './run-queue-handler.js';
export {
  DEFAULT_QUEUE_NAME,
  delaySeconds,
  MAX_DELAY_MS,
  StorageQueueRunQueue,
  type StorageQueueRunQueueOptions,
  storageConnectionSetting,
} from './storage-queue-run-queue.js';
export { type AzureTimerHandler, createSweepHandler } from './sweep-handler.js';
export { DEFAULT_MARGIN_MS, HTTP_RESPONSE_LIMIT_MS, invocationDeadline } from './time-budget.js';
