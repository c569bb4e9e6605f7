import { join } from 'node:path';
import {
  azureAppWithStandInHost,
  type Bundle,
  buildAwsForProfile,
  buildAzureForProfile,
  exists,
  measureFolder,
  REPO_ROOT,
  runBuildScript,
} from './bundles.js';
import type { ColdHandler } from './cold-start.js';

/**
 * This repository's own app (baton.config.ts: the example agent, Slack, API keys) as `npm run
 * build:aws` and `npm run build:azure` bundle it, answering the offline demo model.
 */
const DIST = join(REPO_ROOT, 'dist');
let awsProfileBuild: Promise<string> | undefined;
function awsForProfile(): Promise<string> {
  awsProfileBuild ??= buildAwsForProfile();
  return awsProfileBuild;
}
const built = new Map<string, Promise<string | null>>();
/** Each repository build script runs once, however many of its bundles are measured. */
function buildOnce(script: string): Promise<string | null> {
  if (!built.has(script)) built.set(script, runBuildScript(script));
  return built.get(script)!;
}

async function deployable(
  script: string,
  id: string,
  file: string,
  metafile: string,
): Promise<Bundle | string> {
  const error = await buildOnce(script);
  if (error) return `\`npm run ${script}\` failed: ${error.split('\n')[0]}`;
  if (!exists(file)) return `\`npm run ${script}\` wrote no ${file.slice(REPO_ROOT.length)}`;
  return measureFolder(id, file, { metafile, workingDir: REPO_ROOT });
}

export const REPOSITORY_HANDLERS: readonly ColdHandler[] = [
  {
    id: 'lambda-http',
    label: 'Baton Lambda HTTP, repository app (dist/aws/http)',
    note: 'deployable (DynamoDB store, OpenAI adapter, AWS SDK bundled); size counts every chunk, Slack included; DynamoDB Local + SQS emulator',
    kind: 'http',
    uses: ['dynamodb', 'sqs'],
    text: 'note buy milk',
    bundle: () =>
      deployable(
        'build:aws',
        'lambda-http',
        join(DIST, 'aws/http/index.mjs'),
        join(DIST, 'aws/http.meta.json'),
      ),
    profileFile: async () => join(await awsForProfile(), 'http/index.mjs'),
  },
  {
    id: 'lambda-worker',
    label: 'Baton Lambda worker, repository app (dist/aws/worker)',
    note: 'deployable; one SQS record for a session with a pending message',
    kind: 'sqs',
    uses: ['dynamodb', 'sqs'],
    seed: 'repository-app',
    text: 'note buy milk',
    bundle: () =>
      deployable(
        'build:aws',
        'lambda-worker',
        join(DIST, 'aws/worker/index.mjs'),
        join(DIST, 'aws/worker.meta.json'),
      ),
    profileFile: async () => join(await awsForProfile(), 'worker/index.mjs'),
  },
  {
    id: 'azure-app',
    label: 'Baton Azure app, repository app (dist/azure)',
    note: 'deployable; HTTP function through a stand-in host module, Cosmos server + Azurite',
    kind: 'azure-http',
    uses: ['cosmos', 'azurite'],
    text: 'note buy milk',
    bundle: async () => {
      const app = await deployable(
        'build:azure',
        'azure-app',
        join(DIST, 'azure/app.mjs'),
        join(DIST, 'azure/meta.json'),
      );
      return typeof app === 'string' ? app : { ...app, file: azureAppWithStandInHost(app.file) };
    },
    profileFile: async () => azureAppWithStandInHost(await buildAzureForProfile(), 'azure-app-profile'),
  },
];
