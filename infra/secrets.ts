import { SECRETS, type SecretName } from './settings.js';

export type Secrets = Partial<Record<SecretName, sst.Secret>>;

/** Declared per `sst` global, so both clouds share one declaration of each name (a second would clash). */
const declared = new WeakMap<object, Map<SecretName, sst.Secret>>();

/**
 * The `sst.Secret` of each name, declared once however many stacks ask for it. The empty
 * placeholder lets a stage deploy before any secret is set: an empty secret reaches no function
 * (see linkedSecrets on AWS, nonEmptySettings on Azure) and the handlers treat it as unset.
 *
 * @example
 * const secrets = declareSecrets(['OpenAiApiKey', 'SlackBotToken']);
 */
export function declareSecrets(names: readonly SecretName[] = ALL_SECRETS): Secrets {
  const known = declared.get(sst) ?? new Map<SecretName, sst.Secret>();
  declared.set(sst, known);
  const secrets: Secrets = {};
  for (const name of names) {
    if (!(name in SECRETS)) throw new Error(`unknown secret ${name}: use one of ${ALL_SECRETS.join(', ')}`);
    const secret = known.get(name) ?? new sst.Secret(name, '');
    known.set(name, secret);
    secrets[name] = secret;
  }
  return secrets;
}

export const ALL_SECRETS = Object.keys(SECRETS) as SecretName[];
