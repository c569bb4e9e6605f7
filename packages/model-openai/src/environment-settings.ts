import { ConfigurationError, type Environment } from '@baton/core';
import type { OpenAIApi } from './settings.js';

/** How descriptions name each API. */
export const API_NAMES: Readonly<Record<OpenAIApi, string>> = {
  responses: 'Responses API',
  chat: 'Chat Completions',
};

// The setting readers every provider and host shares live in core.
import { requiredSetting, textSetting as setting } from '@baton/core';

export { requiredSetting, setting };

/** A setting that must be an http(s) URL when it is set. */
export function urlSetting(env: Environment, name: string, provider: string): string | undefined {
  const value = setting(env, name);
  if (value !== undefined && !(URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))) {
    throw new ConfigurationError(
      `${provider} needs ${name} to be an http(s) URL, not ${JSON.stringify(value)}`,
      {
        provider,
        setting: name,
      },
    );
  }
  return value;
}

export function requiredUrlSetting(env: Environment, name: string, provider: string, what: string): string {
  return urlSetting(env, name, provider) ?? requiredSetting(env, name, provider, what);
}

/**
 * The model id the registry passed: the agent's `<provider>:<model>`, or the environment's
 * `BATON_MODEL` when the agent names none.
 */
export function requiredModel(
  modelId: string | undefined,
  provider: string,
  placeholder: string,
  what: string,
): string {
  if (modelId) return modelId;
  throw new ConfigurationError(
    `${provider} needs BATON_MODEL (or a model name "${provider}:<${placeholder}>") — ${what}`,
    { provider, setting: 'BATON_MODEL' },
  );
}

/**
 * The API a provider calls: `BATON_OPENAI_API` when set, else the provider's own default.
 *
 * @example
 * openAIApi('responses', { BATON_OPENAI_API: 'chat' }); // 'chat'
 */
export function openAIApi(byDefault: OpenAIApi, env: Environment): OpenAIApi {
  const value = setting(env, 'BATON_OPENAI_API');
  if (value === undefined) return byDefault;
  if (value === 'responses' || value === 'chat') return value;
  throw new ConfigurationError(
    `BATON_OPENAI_API must be "responses" or "chat", not ${JSON.stringify(value)}`,
    {
      setting: 'BATON_OPENAI_API',
    },
  );
}
