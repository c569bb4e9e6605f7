import { jsonLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { createLambdaHandlers } from '../lambda-handlers.js';
import { modelFromEnvironment } from './model.js';

/**
 * The deployable example: the example agent on DynamoDB (`BATON_TABLE`) and SQS
 * (`BATON_QUEUE_URL`, `BATON_DLQ_URL`), its model chosen from the environment. Built at cold start;
 * each entry file exports one of its handlers.
 */
const model = modelFromEnvironment({ logger: jsonLogger({ base: { service: 'baton' } }) });

export const handlers = createLambdaHandlers({ agents: [createExampleAgent(model)] });
