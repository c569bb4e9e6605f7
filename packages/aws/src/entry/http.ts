import { handlers } from './app.js';

/** API Gateway HTTP API (payload 2.0) or Function URL. */
export const handler = handlers.http;
