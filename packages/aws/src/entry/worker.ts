import { handlers } from './app.js';

/** SQS event source on the run queue, with ReportBatchItemFailures. */
export const handler = handlers.worker;
