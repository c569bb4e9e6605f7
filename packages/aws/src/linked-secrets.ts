import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError, type Environment } from '@baton/core';

/**
 * The SST secrets a deployment links to the functions, and the variable the code reads each as
 * (models, Slack). infra/settings.ts names the same secrets; test/infra holds the two together.
 */
export const LINKED_SECRETS: Readonly<Record<string, string>> = {
  OpenAiApiKey: 'OPENAI_API_KEY',
  AzureOpenAiApiKey: 'AZURE_OPENAI_API_KEY',
  BedrockApiKey: 'AWS_BEARER_TOKEN_BEDROCK',
  SlackBotToken: 'SLACK_BOT_TOKEN',
  SlackSigningSecret: 'SLACK_SIGNING_SECRET',
};

/**
 * The environment the handlers read, with each linked secret in its variable. SST encrypts linked
 * values into the bundle (`SST_KEY_FILE`, `resource.enc`) with AES-256-GCM under the base64 key
 * `SST_KEY`, a nonce of 12 zero bytes and the 16-byte tag at the end, as the `sst` package's
 * `Resource` reads it; decrypting here keeps that package out of the bundle. A secret that is empty
 * (an unset placeholder) is skipped, because an empty AWS_BEARER_TOKEN_BEDROCK switches the AWS SDK
 * to bearer auth; a variable already set wins. Without SST_KEY_FILE (tests, local runs) nothing is
 * added. With no `env`, the secrets go into `process.env` itself (SDKs read it too); a given `env`
 * is copied, never changed.
 *
 * @example
 * const env = environmentWithSecrets(); // process.env, OPENAI_API_KEY set from the OpenAiApiKey link
 */
export function environmentWithSecrets(env?: Environment): Environment {
  const target = env ?? process.env;
  const secrets = linkedSecretValues(target);
  if (env) return { ...env, ...secrets };
  Object.assign(process.env, secrets);
  return process.env;
}

/** The variables the linked secrets would set: non-empty ones whose variable is not set yet. */
export function linkedSecretValues(env: Environment): Record<string, string> {
  if (!env.SST_KEY_FILE || !env.SST_KEY) return {};
  const resources = decryptResources(env.SST_KEY_FILE, env.SST_KEY);
  const values: Record<string, string> = {};
  for (const [name, variable] of Object.entries(LINKED_SECRETS)) {
    const value = (resources[name] as { value?: unknown } | undefined)?.value;
    if (typeof value === 'string' && value !== '' && !env[variable]) values[variable] = value;
  }
  return values;
}

/** The linked resources in SST's encrypted file, by name. */
export function decryptResources(file: string, base64Key: string): Record<string, unknown> {
  try {
    const data = readFileSync(file);
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), Buffer.alloc(12, 0));
    decipher.setAuthTag(data.subarray(-16));
    const text = Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the linked secrets in ${file} with SST_KEY: ${(error as Error).message}`,
      { setting: 'SST_KEY_FILE' },
    );
  }
}
