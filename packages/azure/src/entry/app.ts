/**
 * The Functions app: the one place functions are registered. `npm run build:azure` bundles this
 * file into dist/azure/app.mjs, the `main` of the deployed package.json.
 *
 * App settings: AzureWebJobsStorage (or BATON_STORAGE_CONNECTION), BATON_QUEUE_NAME (baton-runs),
 * BATON_HTTP_AUTH_LEVEL (function | anonymous), COSMOS_ENDPOINT + COSMOS_KEY (or
 * COSMOS_CONNECTION_STRING), BATON_COSMOS_DATABASE, BATON_COSMOS_CONTAINER, BATON_LEASE_MS,
 * BATON_MODEL_CALL_MS, BATON_SAFETY_NET_DELAY_MS, the local server's model settings
 * (BATON_MODEL_PROVIDER, ...), and for Slack SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN (served on
 * `slack/events`, `slack/interactivity`, `slack/commands` under the route prefix). Without Cosmos DB
 * settings the app refuses to start (BATON_STORE=memory opts into a throwaway in-memory demo), and
 * without a model provider the offline demo model answers, announced at start.
 */
import azureFunctions from '@azure/functions';
import { openAIModelFromEnvironment } from '@baton/model-openai';
import hostJson from '../../host.json' with { type: 'json' };
import { type AzureAppHooks, createAzureBaton } from '../azure-baton.js';
import { hostSettings } from '../host-settings.js';
import { createHttpHandler } from '../http-handler.js';
import { createPoisonQueueHandler } from '../poison-queue-handler.js';
import { createRunQueueHandler } from '../run-queue-handler.js';
import { createSweepHandler } from '../sweep-handler.js';

// @azure/functions is CommonJS: its named exports are not visible to Node's ESM loader.
const { app } = azureFunctions;

/** Models come from @baton/model-openai (OpenAI, Azure OpenAI, compatible endpoints); another store or an Entra ID credential plug in here. */
const hooks: AzureAppHooks = { model: (env) => openAIModelFromEnvironment(env)?.model };

const settings = hostSettings(hostJson, process.env);
const { baton, queue, connection, slack } = createAzureBaton(process.env, hooks);
const withSlack = slack ? { slack } : {};
const authLevel = process.env.BATON_HTTP_AUTH_LEVEL === 'anonymous' ? 'anonymous' : 'function';

app.http('baton-http', {
  route: '{*path}',
  methods: ['GET', 'POST', 'DELETE'],
  authLevel,
  handler: createHttpHandler(baton, {
    timeoutMs: settings.functionTimeoutMs,
    routePrefix: settings.routePrefix,
    ...withSlack,
  }),
});

app.storageQueue('baton-runs', {
  queueName: queue.queueName,
  connection,
  handler: createRunQueueHandler(baton, {
    queue,
    timeoutMs: settings.functionTimeoutMs,
    maxDequeueCount: settings.maxDequeueCount,
    ...withSlack,
  }),
});

app.storageQueue('baton-runs-poison', {
  queueName: `${queue.queueName}-poison`,
  connection,
  handler: createPoisonQueueHandler(baton, { maxDequeueCount: settings.maxDequeueCount, ...withSlack }),
});

app.timer('baton-sweep', {
  schedule: '0 * * * * *',
  handler: createSweepHandler(baton),
});
