import { join } from 'node:path';
import { awsMismatches, deployedFunctions } from './aws-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { grantsOf } from './aws-iam-contract.js';
import { everySetting, settingsOf } from './infra-copy.js';
import { type Recording, recordInfra, referencePath } from './recording.js';

let bundleDir: string;

/** Makes `dir` the bundle folder recordAws hands infra unless told another. */
export function useBundleDir(dir: string): void {
  bundleDir = dir;
}

/** Records infra/aws.ts of `dir`, by default with every optional setting in the deploy environment. */
export async function recordAws(
  dir: string,
  options: {
    env?: Record<string, string>;
    bundle?: string;
    workerMaxConcurrency?: number;
    auth?: unknown;
  } = {},
): Promise<Recording> {
  const settings = await settingsOf(dir);
  const env =
    options.env ??
    everySetting([...settings.MODEL_SETTINGS, ...settings.AUTH_SETTINGS, ...settings.AWS_TUNING]);
  const stackOptions = {
    env,
    ...(options.workerMaxConcurrency ? { workerMaxConcurrency: options.workerMaxConcurrency } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  };
  return recordInfra(join(dir, 'aws.ts'), 'deployAws', [options.bundle ?? bundleDir, stackOptions]);
}

/** Every way infra/aws.ts of `dir`, recorded by recordAws (with `auth` when given), disagrees with `facts`. */
export async function mismatchesOf(dir: string, facts: AwsFacts, auth?: unknown): Promise<string[]> {
  const { AWS_LEFT_UNSET } = await settingsOf(dir);
  return awsMismatches(await recordAws(dir, auth ? { auth } : {}), facts, AWS_LEFT_UNSET);
}

/** The Bedrock and Marketplace grants of each function, by label. */
export function bedrockGrants(recording: Recording, facts: AwsFacts): Record<string, string[]> {
  return Object.fromEntries(
    deployedFunctions(recording, facts).map((fn) => [
      fn.entry ?? fn.label,
      grantsOf(fn).filter((grant) => /^(bedrock|aws-marketplace):/.test(grant)),
    ]),
  );
}

/** The declared environment with references replaced by sample values (queue URLs well-formed). */
export function sampleValues(environment: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((environment as Record<string, unknown>) ?? {}).map(([name, value]) => {
      const path = referencePath(value) ?? '';
      if (path.endsWith('.url')) return [name, 'https://sqs.eu-west-1.amazonaws.com/000000000000/sample'];
      return [name, path ? 'sample' : String(value)];
    }),
  );
}

/** Runs `load` with `values` in process.env (plus the region the Lambda runtime sets), then restores it. */
export async function withEnvironment<T>(values: Record<string, string>, load: () => Promise<T>): Promise<T> {
  const all = { AWS_REGION: 'eu-west-1', ...values };
  const previous = Object.fromEntries(Object.keys(all).map((name) => [name, process.env[name]]));
  Object.assign(process.env, all);
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
