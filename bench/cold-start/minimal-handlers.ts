import { join } from 'node:path';
import {
  azureAppWithStandInHost,
  type Bundle,
  buildAwsForProfile,
  buildAzureForProfile,
  buildBenchHandler,
  exists,
  measureFolder,
  OUT_DIR,
  REPO_ROOT,
  runBatonBuild,
} from './bundles.js';
import type { ColdHandler } from './cold-start.js';

/**
 * The like-for-like comparison with the AI SDK's minimal handler: the smallest project a user
 * deploys (bench/cold-start/minimal-app/baton.config.ts: one agent, the same one tool, the OpenAI
 * adapter, API keys), bundled by the real `baton build aws` / `baton build azure`, answering the
 * same message with the same tool turn from a local server speaking OpenAI's wire protocol.
 *
 * On AWS the request that gets the reply in one go is the HttpStream Function URL's (the http
 * bundle's `stream` export, 300 s): API Gateway's 30 s leave no room for the agent's 60 s model-call
 * reserve, so the buffered handler records the message and answers 202 with the run left to the
 * worker (docs/interop.md). The Function URL runs the turn inline, so that is the one measured.
 */
const CONFIG = join(REPO_ROOT, 'bench/cold-start/minimal-app/baton.config.ts');
const AWS_OUT = join(OUT_DIR, 'minimal-aws');
const AZURE_OUT = join(OUT_DIR, 'minimal-azure');

const builds = new Map<string, Promise<string | null>>();
function buildOnce(target: 'aws' | 'azure', outDir: string): Promise<string | null> {
  if (!builds.has(target)) builds.set(target, runBatonBuild(target, CONFIG, outDir));
  return builds.get(target)!;
}

async function minimal(
  target: 'aws' | 'azure',
  id: string,
  file: string,
  metafile: string,
): Promise<Bundle | string> {
  const outDir = target === 'aws' ? AWS_OUT : AZURE_OUT;
  const error = await buildOnce(target, outDir);
  if (error) return `\`baton build ${target}\` of the minimal app failed: ${error.split('\n')[0]}`;
  if (!exists(file)) return `\`baton build ${target}\` wrote no ${file.slice(REPO_ROOT.length)}`;
  return measureFolder(id, file, { metafile, workingDir: join(REPO_ROOT, 'bench/cold-start/minimal-app') });
}

let awsProfile: Promise<string> | undefined;
function awsForProfile(): Promise<string> {
  awsProfile ??= buildAwsForProfile(CONFIG, 'minimal-profile-aws');
  return awsProfile;
}

/** Every reply must be the scripted one, so a 202 or a failed turn never passes for a fast one. */
const EXPECT_REPLY = { BENCH_EXPECT_REPLY: '1' };

export const MINIMAL_HANDLERS: readonly ColdHandler[] = [
  {
    id: 'lambda-http-minimal',
    label: 'Baton Lambda HTTP, minimal app (Function URL stream export)',
    note: 'one agent + one tool, `baton build aws`; POST /sessions/{id}/messages runs the turn inline and answers 200 with the reply; DynamoDB Local + SQS emulator + OpenAI wire fake',
    kind: 'stream',
    uses: ['dynamodb', 'sqs', 'openai'],
    // infra/aws-streaming.ts: the stream function's run goes on inline for its whole timeout.
    env: { ...EXPECT_REPLY, BATON_SAFETY_NET_DELAY_MS: '300000' },
    bundle: () =>
      minimal('aws', 'lambda-http-minimal', join(AWS_OUT, 'http/index.mjs'), join(AWS_OUT, 'http.meta.json')),
    profileFile: async () => join(await awsForProfile(), 'http/index.mjs'),
  },
  {
    id: 'lambda-worker-minimal',
    label: 'Baton Lambda worker, minimal app',
    note: 'one SQS record for a session with a pending message; runs the tool turn',
    kind: 'sqs',
    uses: ['dynamodb', 'sqs', 'openai'],
    seed: 'minimal-app',
    bundle: () =>
      minimal(
        'aws',
        'lambda-worker-minimal',
        join(AWS_OUT, 'worker/index.mjs'),
        join(AWS_OUT, 'worker.meta.json'),
      ),
    profileFile: async () => join(await awsForProfile(), 'worker/index.mjs'),
  },
  {
    id: 'azure-app-minimal',
    label: 'Baton Azure app, minimal app',
    note: 'one agent + one tool, `baton build azure`; answers 200 with the reply; Cosmos server + Azurite + OpenAI wire fake',
    kind: 'azure-http',
    uses: ['cosmos', 'azurite', 'openai'],
    env: EXPECT_REPLY,
    bundle: async () => {
      const app = await minimal(
        'azure',
        'azure-app-minimal',
        join(AZURE_OUT, 'app.mjs'),
        join(AZURE_OUT, 'meta.json'),
      );
      return typeof app === 'string'
        ? app
        : { ...app, file: azureAppWithStandInHost(app.file, 'azure-app-minimal') };
    },
    profileFile: async () =>
      azureAppWithStandInHost(
        await buildAzureForProfile(CONFIG, 'minimal-profile-azure'),
        'azure-app-minimal-profile',
      ),
  },
];

/**
 * The AI SDK's minimal handler with the model side like Baton's minimal app: its OpenAI provider
 * over the same wire fake. The targets still compare with the in-process `ai-sdk` handler.
 */
export const PEER_WIRE_HANDLERS: readonly ColdHandler[] = [
  {
    id: 'ai-sdk-openai',
    label: 'AI SDK, @ai-sdk/openai',
    note: 'minimal handler: generateText + one tool, history in memory, its OpenAI provider over the OpenAI wire fake',
    kind: 'http',
    uses: ['openai'],
    env: EXPECT_REPLY,
    bundle: () => buildBenchHandler('ai-sdk-openai'),
    profileFile: async () => (await buildBenchHandler('ai-sdk-openai', true)).file,
  },
];
