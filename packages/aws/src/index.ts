export {
  errorResult,
  type HttpEventOptions,
  type NormalizedHttpEvent,
  normalizeHttpEvent,
  toLambdaResult,
} from './http-event.js';
export {
  API_GATEWAY_BUDGET_MS,
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from './http-handler.js';
export { invocationLogger, withLogFields } from './invocation-log.js';
export {
  DEFAULT_SAFETY_MARGIN_MS,
  DEFAULT_TIMEOUT_EARLY_MS,
  type DeadlineOptions,
  invocationDeadline,
} from './lambda-deadline.js';
export {
  createLambdaHandlers,
  DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS,
  DEFAULT_MAX_RECEIVES,
  type LambdaHandlers,
  type LambdaHandlersOptions,
} from './lambda-handlers.js';
export {
  decryptResources,
  environmentWithSecrets,
  LINKED_SECRETS,
  linkedSecretValues,
} from './linked-secrets.js';
export { ATTRIBUTE } from './message-attributes.js';
export { queueUrlFromArn } from './queue-url.js';
export { applyDisposition, type RecordOutcome, type SqsTarget } from './sqs-disposition.js';
export { QueueError } from './sqs-errors.js';
export { fifoGroupId, MAX_DELAY_SECONDS, SqsRunQueue, type SqsRunQueueOptions } from './sqs-run-queue.js';
export { createSqsWorker, type SqsWorker, type SqsWorkerOptions } from './sqs-worker.js';
export {
  createStreamingHttpHandler,
  type StreamingHttpHandler,
  type StreamingResult,
  toStreamingResult,
} from './streaming-http-handler.js';
export { createSweeper, type Sweeper } from './sweeper.js';
