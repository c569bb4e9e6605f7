import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './infra-copy.js';

/** Inside the repository, so the bundles resolve what they leave external (`@aws-sdk/*`) as deployed. */
const BUNDLES_DIR = join(REPO_ROOT, 'node_modules/.cache/baton-infra-bundles');

/** Settings that would make the build bundle a model provider; the contract adds every provider itself. */
const MODEL_CHOICE = [
  'BATON_MODEL',
  'BATON_MODEL_PROVIDER',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'AZURE_OPENAI_ENDPOINT',
  'AWS_BEARER_TOKEN_BEDROCK',
];

const built = new Map<string, Promise<string>>();

/**
 * The deployable folder `npm run build:aws` / `build:azure` writes for this repository's
 * baton.config.ts, built once per test file by the same command (`baton build <cloud> --out`).
 * AWS: `<dir>/<entry>/index.mjs`; Azure: `<dir>/app.mjs` with host.json and package.json. Each
 * bundle has its source map, which names the sources that went in.
 *
 * @example
 * const dir = await builtBundle('aws'); // .../baton-infra-bundles/aws
 */
export function builtBundle(cloud: 'aws' | 'azure'): Promise<string> {
  const known = built.get(cloud);
  if (known) return known;
  const outDir = join(BUNDLES_DIR, cloud);
  const env = { ...process.env };
  for (const name of MODEL_CHOICE) delete env[name];
  const running = promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, 'packages/dev/bin/baton.mjs'), 'build', cloud, '--out', outDir],
    { cwd: REPO_ROOT, env, timeout: 110_000 },
  ).then(() => outDir);
  built.set(cloud, running);
  return running;
}
