/**
 * The model an environment asks for: `BATON_MODEL_PROVIDER` + `BATON_MODEL`, or the short form
 * `BATON_MODEL=<provider>:<model>` (e.g. `bedrock:us.amazon.nova-pro-v1:0`, `openai:gpt-5-mini`).
 * Model ids may contain ':' themselves, so only a known provider before the first ':' is split off.
 *
 * @example
 * modelSetting({ BATON_MODEL: 'azure-openai:my-deployment' }); // { provider: 'azure-openai', model: 'my-deployment' }
 */
export function modelSetting(
  env: Record<string, string | undefined>,
  knownProviders: readonly string[] = MODEL_PROVIDERS,
): { provider: string | undefined; model: string | undefined } {
  const raw = env.BATON_MODEL;
  if (!env.BATON_MODEL_PROVIDER && raw) {
    const colon = raw.indexOf(':');
    const prefix = colon > 0 ? raw.slice(0, colon) : '';
    if (knownProviders.includes(prefix))
      return { provider: prefix, model: raw.slice(colon + 1) || undefined };
  }
  return { provider: env.BATON_MODEL_PROVIDER || undefined, model: raw || undefined };
}

/** Every provider name Baton's adapters answer to. */
export const MODEL_PROVIDERS = [
  'openai',
  'azure-openai',
  'openai-compatible',
  'bedrock-openai',
  'bedrock',
  'bedrock-agent',
  'offline',
] as const as readonly string[];
