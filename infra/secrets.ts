import { SECRETS, type SecretName } from './settings.js';

export type Secrets = Record<SecretName, sst.Secret>;

/**
 * One `sst.Secret` per entry of SECRETS, shared by both clouds (a second declaration of the same
 * name would clash). The empty placeholder lets a stage deploy before any secret is set: the
 * handlers read an empty key as "not configured" and serve the offline demo model instead.
 */
export function declareSecrets(): Secrets {
  const names = Object.keys(SECRETS) as SecretName[];
  return Object.fromEntries(names.map((name) => [name, new sst.Secret(name, '')])) as Secrets;
}

/** The secrets as environment variables (`SECRETS` names them), for handlers that read `process.env`. */
export function secretEnvironment(
  secrets: Secrets,
  names: readonly SecretName[],
): Record<string, $util.Output<string>> {
  return Object.fromEntries(names.map((name) => [SECRETS[name], secrets[name].value]));
}
