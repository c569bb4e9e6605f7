export { type PoisonReason, sendToDeadLetterQueue } from './dead-letter.js';
export {
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
  type LambdaHandlers,
  type LambdaHandlersOptions,
} from './lambda-handlers.js';
export { queueUrlFromArn } from './queue-url.js';
export { ATTRIBUTE, type ParsedRecord, parseRunRecord } from './run-message.js';
export { QueueError } from './sqs-errors.js';
export { MAX_DELAY_SECONDS, SqsRunQueue, type SqsRunQueueOptions } from './sqs-run-queue.js';
export { createSqsWorker, type SqsWorker, type SqsWorkerOptions } from './sqs-worker.js';
export { createSweeper, type Sweeper, type SweeperOptions } from './sweeper.js';
