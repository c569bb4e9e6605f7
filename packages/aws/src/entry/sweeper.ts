import { handlers } from './app.js';

/** An EventBridge schedule (every few minutes): re-enqueues runs whose queue message was lost. */
export const handler = handlers.sweeper;
