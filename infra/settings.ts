/**
 * What the deployed handlers are configured with besides the resources' own names. Kept as data so
 * the contract test (test/infra) can hold every list against the environment variables the
 * handler sources actually read.
 */

/**
 * SST secrets (`npx sst secret set <Name> <value> --stage <stage>`) and the variable the handlers
 * read each as. On AWS they reach the functions as encrypted SST links (`Resource.<Name>.value`,
 * copied into that variable at cold start by @baton/aws's linked-secrets.ts, and only when set); on
 * Azure they are app settings, present only when the secret is set.
 */
export const SECRETS = {
  OpenAiApiKey: 'OPENAI_API_KEY',
  AzureOpenAiApiKey: 'AZURE_OPENAI_API_KEY',
  /** A Bedrock API key, for OpenAI models on Bedrock (`bedrock-openai`). */
  BedrockApiKey: 'AWS_BEARER_TOKEN_BEDROCK',
  SlackBotToken: 'SLACK_BOT_TOKEN',
  SlackSigningSecret: 'SLACK_SIGNING_SECRET',
} as const;

export type SecretName = keyof typeof SECRETS;

/**
 * The model settings core's model registry and the providers of @baton/model-openai and
 * @baton/model-bedrock (their `modelProviders`) read, besides the keys above. Copied from the
 * environment of `sst deploy` when set there, and left out when not: an empty BATON_MODEL_PROVIDER
 * would name a provider, and an empty BATON_OPENAI_API is refused.
 */
export const MODEL_SETTINGS = [
  'BATON_MODEL_PROVIDER',
  'BATON_MODEL',
  'BATON_OPENAI_API',
  'OPENAI_BASE_URL',
  'OPENAI_API_VERSION',
  'AZURE_OPENAI_ENDPOINT',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME',
] as const;

/**
 * The settings core's auth modes read (`jwt()` without options, browser safety's extra origins).
 * Copied from the deploy environment when set, and left out when not: the definition's own options
 * then decide, and an unset BATON_JWT_JWKS_URL with `jwt()` stops the app at start.
 */
export const AUTH_SETTINGS = [
  'BATON_JWT_JWKS_URL',
  'BATON_JWT_ISSUER',
  'BATON_JWT_AUDIENCE',
  'BATON_JWT_TENANT_CLAIM',
  'BATON_JWT_USER_CLAIM',
  'BATON_ALLOWED_ORIGINS',
] as const;

/** Tuning the Lambda handlers read; copied from the deploy environment when set, else their defaults. */
export const AWS_TUNING = [
  'BATON_LOG_LEVEL',
  'BATON_TTL_SECONDS',
  'BATON_LEASE_MS',
  'BATON_MODEL_CALL_MS',
  'BATON_SAFETY_NET_DELAY_MS',
  'BATON_SWEEP_IDLE_MS',
  'SLACK_APPROVERS',
  'SLACK_BOT_USER_ID',
] as const;

/** Tuning the Functions app reads; copied from the deploy environment when set, else its defaults. */
export const AZURE_TUNING = [
  'BATON_LOG_LEVEL',
  'BATON_COSMOS_TTL_SECONDS',
  'BATON_LEASE_MS',
  'BATON_MODEL_CALL_MS',
  'BATON_SAFETY_NET_DELAY_MS',
  'BATON_SWEEP_IDLE_MS',
  'SLACK_APPROVERS',
  'SLACK_BOT_USER_ID',
] as const;

/** Variables a Lambda handler reads that this deployment leaves unset on purpose, and why. */
export const AWS_LEFT_UNSET: Readonly<Record<string, string>> = {
  AWS_LAMBDA_FUNCTION_NAME: 'set by the Lambda runtime',
  AWS_REGION: 'set by the Lambda runtime',
  AWS_DEFAULT_REGION: 'set by the Lambda runtime',
  AWS_ACCESS_KEY_ID: "set by the Lambda runtime (the function's role)",
  AWS_SECRET_ACCESS_KEY: "set by the Lambda runtime (the function's role)",
  AWS_SESSION_TOKEN: "set by the Lambda runtime (the function's role)",
  AWS_PROFILE:
    "unset in Lambda, so the SDK clients take the role's keys from the environment; set only where a profile names them",
  SST_KEY: 'set by SST for the linked secrets (the key of resource.enc)',
  SST_KEY_FILE: 'set by SST for the linked secrets (resource.enc in the bundle)',
  BATON_CONSOLE: 'set (to on) on the Http function only with `console: true`: the console is off by default',
  BATON_CONSOLE_SECRET:
    "optional: the console's cookie is keyed with the API key's stored hash, which every instance reads alike",
  BATON_PRICES: "a price file for the console's cost page; the built-in prices apply without it",
  SLACK_API_URL: 'points Slack calls at a local fake in tests only',
  BATON_OFFLINE_DELTA_MS: "the offline demo model's pause between deltas; a deployment names a real model",
  BATON_WEBHOOKS_ALLOW_LOCAL: 'tests and local runs only: webhooks over plain http to loopback',
  BATON_WEBHOOKS_ALLOW_PRIVATE:
    'off in a deployment: webhooks to private and metadata addresses stay refused',
};

/** App settings the Functions app reads that this deployment leaves unset on purpose, and why. */
export const AZURE_LEFT_UNSET: Readonly<Record<string, string>> = {
  AzureFunctionsJobHost__functionTimeout: 'host.json is the source; the override is for operators',
  AzureFunctionsJobHost__extensions__http__routePrefix: 'host.json is the source',
  AzureFunctionsJobHost__extensions__queues__maxDequeueCount: 'host.json is the source',
  COSMOS_CONNECTION_STRING: 'keys are off: the app reaches Cosmos DB with its managed identity (RBAC)',
  COSMOS_KEY: 'keys are off: the app reaches Cosmos DB with its managed identity (RBAC)',
  BATON_STORE: 'only `memory` (a throwaway demo) changes anything; the Cosmos settings are set',
  BATON_COSMOS_PREFERRED_REGIONS:
    'the serverless account this deploys has one region; the setting turns on endpoint discovery for a geo-replicated one',
  BATON_APP_SERVICE_AUTH:
    'set (to true) only when auth.appServiceAuth configures App Service authentication; without it the principal header is forgeable',
  AWS_REGION: 'read by OpenAI-on-Bedrock only; set it in the deploy environment to use that here',
  AWS_DEFAULT_REGION: 'read by OpenAI-on-Bedrock only, as a fallback of AWS_REGION',
  AWS_ACCESS_KEY_ID: 'Bedrock from Azure would need long-lived AWS keys as settings; use the AWS stack',
  AWS_SECRET_ACCESS_KEY: 'Bedrock from Azure would need long-lived AWS keys as settings; use the AWS stack',
  AWS_SESSION_TOKEN: 'Bedrock from Azure would need long-lived AWS keys as settings; use the AWS stack',
  BATON_CONSOLE: 'set (to on) only with `console: true`: the console is off by default',
  BATON_CONSOLE_SECRET:
    "optional: the console's cookie is keyed with the API key's stored hash, which every instance reads alike",
  BATON_PRICES: "a price file for the console's cost page; the built-in prices apply without it",
  SLACK_API_URL: 'points Slack calls at a local fake in tests only',
  BATON_OFFLINE_DELTA_MS: "the offline demo model's pause between deltas; a deployment names a real model",
  BATON_WEBHOOKS_ALLOW_LOCAL: 'tests and local runs only: webhooks over plain http to loopback',
  BATON_WEBHOOKS_ALLOW_PRIVATE:
    'off in a deployment: webhooks to private and metadata addresses stay refused',
};

/** The values of `names` that are set (non-empty) in `env`. */
export function fromEnvironment(
  names: readonly string[],
  env: Record<string, string | undefined>,
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value) picked[name] = value;
  }
  return picked;
}

/**
 * App settings the Functions host itself reads. On Flex Consumption the runtime and its version
 * come from `functionAppConfig` and the package from the deployment container: the platform
 * rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE.
 */
export const AZURE_HOST_SETTINGS: Readonly<Record<string, string>> = {
  AzureWebJobsStorage__accountName:
    "the host's storage and the queue triggers' connection, reached with the app's managed identity",
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'where the host sends logs, requests and dependencies',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Entra ID ingestion (the component refuses keys)',
};

/** Settings the Flex Consumption platform refuses (it sets them itself). */
export const FLEX_FORBIDDEN_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'AzureWebJobsStorage',
] as const;
