export { type AzureApp, type AzureAppOptions, createAzureApp, storeFromEnvironment } from './azure-app.js';
export {
  APP_SERVICE_AUTH_SETTING,
  CLIENT_PRINCIPAL_HEADERS,
  clientPrincipalClaims,
} from './client-principal.js';
export { cosmosStoreFromEnvironment } from './cosmos-from-environment.js';
export { type Environment, type HostSettings, hostSettings, timeSpanMs } from './host-settings.js';
export { type AzureHttpHandler, createHttpHandler, type HttpHandlerOptions } from './http-handler.js';
export { type AuthLevel, type HttpFunction, httpFunctions } from './http-routes.js';
export { lazyCredential, usesManagedIdentity } from './managed-identity.js';
export { invocationOwner, priorAttempts, type QueueDelivery, queueDelivery } from './queue-delivery.js';
export {
  type AzureQueueHandler,
  createPoisonQueueHandler,
  createRunQueueHandler,
  type QueueHandlerOptions,
} from './queue-handlers.js';
export { registerBaton } from './register-baton.js';
export { encodeRunMessage } from './run-message.js';
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
