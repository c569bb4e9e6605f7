import azureFunctions from '@azure/functions';
import type { BatonDefinition } from '@baton/core';
import { type AzureApp, type AzureAppOptions, createAzureApp } from './azure-app.js';
import { createHttpHandler } from './http-handler.js';
import { httpFunctions } from './http-routes.js';
import { createPoisonQueueHandler, createRunQueueHandler } from './queue-handlers.js';
import { createSweepHandler } from './sweep-handler.js';

// @azure/functions is CommonJS: its named exports are not visible to Node's ESM loader.
const { app: functions } = azureFunctions;

/**
 * Registers the app's Functions: HTTP with streamed responses (Slack's routes and /healthz
 * anonymous, the API on a catch-all at `authLevel`), the run queue, its poison queue and the sweep timer. The entry
 * `npx baton build azure` generates calls it once. The definition must declare `auth`.
 *
 * @example
 * import definition from './baton.config.js';
 * registerBaton(definition, { providers: modelProviders });
 */
export function registerBaton(definition: BatonDefinition, options: AzureAppOptions = {}): AzureApp {
  // Response bodies through the host's HTTP proxy as they are written (host 4.28+), so a client
  // following a session (`GET /sessions/{id}/stream`) sees deltas before the run commits.
  functions.setup({ enableHttpStream: true });
  const azure = createAzureApp(definition, options);
  const { app, queue, connection, settings } = azure;
  const queueOptions = {
    queue,
    timeoutMs: settings.functionTimeoutMs,
    maxDequeueCount: settings.maxDequeueCount,
  };
  const handler = createHttpHandler(app, {
    timeoutMs: settings.functionTimeoutMs,
    routePrefix: settings.routePrefix,
    appServiceAuth: azure.appServiceAuth,
    ...(azure.console ? { console: azure.console } : {}),
  });
  const routes = httpFunctions(azure.authLevel, { console: azure.console !== undefined });
  for (const { name, ...http } of routes) functions.http(name, { ...http, handler });
  functions.storageQueue('baton-runs', {
    queueName: queue.queueName,
    connection,
    handler: createRunQueueHandler(app, queueOptions),
  });
  functions.storageQueue('baton-runs-poison', {
    queueName: `${queue.queueName}-poison`,
    connection,
    handler: createPoisonQueueHandler(app, queueOptions),
  });
  functions.timer('baton-sweep', { schedule: '0 * * * * *', handler: createSweepHandler(app) });
  return azure;
}
