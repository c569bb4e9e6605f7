import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { USER_TEXT } from '../conversation.js';
import type { Endpoints } from '../harness.js';
import { median } from '../stats.js';
import {
  azureAppWithStandInHost,
  type Bundle,
  buildBenchHandler,
  buildInvoker,
  exists,
  measureFolder,
  REPO_ROOT,
  runBuildScript,
} from './bundles.js';
import { type ColdContext, startColdContext } from './cold-context.js';

export interface ColdStartResult {
  id: string;
  label: string;
  note: string;
  bundleBytes: number;
  gzipBytes: number;
  wallMs: number[];
  loadMs: number[];
  /** HTTP statuses answered (200: the reply; 202: accepted, the run left to the queue). */
  statuses: string[];
  error?: string;
}

type Kind = 'http' | 'sqs' | 'azure-http';

interface ColdHandler {
  id: string;
  label: string;
  note: string;
  kind: Kind;
  /** Which emulators it talks to. */
  uses: ('dynamodb' | 'sqs' | 'cosmos' | 'azurite')[];
  /** Builds (or finds) the bundle; a string is why there is none. */
  bundle(): Promise<Bundle | string>;
}

const DIST = join(REPO_ROOT, 'dist');
const built = new Map<string, Promise<string | null>>();
/** Each repository build script runs once, however many of its bundles are measured. */
function buildOnce(script: string): Promise<string | null> {
  if (!built.has(script)) built.set(script, runBuildScript(script));
  return built.get(script)!;
}

async function deployable(script: string, id: string, file: string): Promise<Bundle | string> {
  const error = await buildOnce(script);
  if (error) return `\`npm run ${script}\` failed: ${error.split('\n')[0]}`;
  if (!exists(file)) return `\`npm run ${script}\` wrote no ${file.slice(REPO_ROOT.length)}`;
  return measureFolder(id, file);
}

/**
 * The node binary every cold-start process runs: BENCH_NODE (e.g. a Node 22 from the npm package
 * `node`) or the one running the bench.
 */
export const COLD_NODE = process.env.BENCH_NODE || process.execPath;

export const COLD_HANDLERS: readonly ColdHandler[] = [
  {
    id: 'lambda-http',
    label: 'Baton Lambda HTTP (dist/aws/http)',
    note: 'deployable (DynamoDB store, OpenAI adapter, AWS SDK bundled); size counts every chunk, Slack included; DynamoDB Local + SQS emulator',
    kind: 'http',
    uses: ['dynamodb', 'sqs'],
    bundle: () => deployable('build:aws', 'lambda-http', join(DIST, 'aws/http/index.mjs')),
  },
  {
    id: 'lambda-worker',
    label: 'Baton Lambda worker (dist/aws/worker)',
    note: 'deployable; one SQS record for a session with a pending message',
    kind: 'sqs',
    uses: ['dynamodb', 'sqs'],
    bundle: () => deployable('build:aws', 'lambda-worker', join(DIST, 'aws/worker/index.mjs')),
  },
  {
    id: 'azure-app',
    label: 'Baton Azure app (dist/azure)',
    note: 'deployable; HTTP function through a stand-in host module, Cosmos server + Azurite',
    kind: 'azure-http',
    uses: ['cosmos', 'azurite'],
    bundle: async () => {
      const app = await deployable('build:azure', 'azure-app', join(DIST, 'azure/app.mjs'));
      return typeof app === 'string' ? app : { ...app, file: azureAppWithStandInHost(app.file) };
    },
  },
  ...(
    [
      [
        'baton-memory',
        'Baton core, memory store',
        'for comparison: the framework without cloud SDKs or network',
      ],
      ['openai-agents', 'OpenAI Agents SDK', 'minimal handler: Agent + one tool + MemorySession'],
      ['langgraph', 'LangGraph', 'minimal handler: createReactAgent + one tool + MemorySaver'],
      ['ai-sdk', 'AI SDK', 'minimal handler: generateText + one tool, history in memory'],
      ['floor', 'No framework', 'hand-written tool loop, history in memory'],
    ] as const
  ).map(
    ([id, label, note]): ColdHandler => ({
      id,
      label,
      note,
      kind: 'http',
      uses: [],
      bundle: () => buildBenchHandler(id),
    }),
  ),
];

/** Baton's deployables answer the offline demo model: "note ..." makes it call one tool, then reply. */
function textFor(handler: ColdHandler): string {
  return handler.id.startsWith('lambda-') || handler.id === 'azure-app' ? 'note buy milk' : USER_TEXT;
}

/** The AWS SDK's notice about Node 22 says nothing about the handler. */
const NOISE =
  /NodeVersionSupportWarning|first week of January|node >=22|continue receiving|a\.co\/|trace-warnings/;

function invoke(
  invoker: string,
  handler: ColdHandler,
  file: string,
  env: Record<string, string>,
): Promise<{ wallMs: number; loadMs: number; status: string }> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const start = performance.now();
    const child = spawn(COLD_NODE, [invoker, handler.kind, file], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - start;
      const line = output
        .join('')
        .split('\n')
        .find((l) => l.startsWith('{"ok"'));
      if (code !== 0 || !line) {
        const said = output
          .join('')
          .split('\n')
          .filter((l) => l.trim() !== '' && !NOISE.test(l));
        reject(new Error(`${handler.id} did not answer (exit ${code}): ${said.slice(-6).join(' ')}`));
        return;
      }
      const answer = JSON.parse(line) as { loadMs: number; status: unknown };
      resolve({
        wallMs,
        loadMs: answer.loadMs,
        status: typeof answer.status === 'number' ? String(answer.status) : 'ok',
      });
    });
  });
}

/**
 * Builds every selected handler, then starts each one `runs` times in a fresh process, handlers
 * interleaved (one round of each before the next), after one untimed round that warms the file cache.
 */
export async function runColdStarts(
  selectedIds: (id: string) => boolean,
  runs: number,
  endpoints: Endpoints,
): Promise<ColdStartResult[]> {
  const handlers = COLD_HANDLERS.filter((handler) => selectedIds(handler.id));
  const invoker = await buildInvoker();
  const ready: { handler: ColdHandler; bundle: Bundle; result: ColdStartResult }[] = [];
  const results: ColdStartResult[] = [];
  for (const handler of handlers) {
    const bundle = await handler.bundle();
    const result: ColdStartResult = {
      id: handler.id,
      label: handler.label,
      note: handler.note,
      bundleBytes: typeof bundle === 'string' ? 0 : bundle.bytes,
      gzipBytes: typeof bundle === 'string' ? 0 : bundle.gzipBytes,
      wallMs: [],
      loadMs: [],
      statuses: [],
      ...(typeof bundle === 'string' ? { error: bundle } : {}),
    };
    results.push(result);
    if (typeof bundle !== 'string') ready.push({ handler, bundle, result });
  }
  const uses = new Set(ready.flatMap((entry) => entry.handler.uses));
  const context: ColdContext = await startColdContext(uses, endpoints);
  try {
    for (let round = 0; round <= runs; round++) {
      for (const entry of ready) {
        if (entry.result.error) continue;
        const session = `cold-${entry.handler.id}-${round}`;
        try {
          const env = await context.prepare(
            entry.handler.id,
            entry.handler.uses,
            session,
            textFor(entry.handler),
          );
          const timing = await invoke(invoker, entry.handler, entry.bundle.file, env);
          // Round 0 only warms the file cache.
          if (round === 0) continue;
          entry.result.wallMs.push(timing.wallMs);
          entry.result.loadMs.push(timing.loadMs);
          if (!entry.result.statuses.includes(timing.status)) entry.result.statuses.push(timing.status);
        } catch (error) {
          entry.result.error = (error as Error).message.split('\n').slice(0, 3).join(' ');
        }
      }
    }
  } finally {
    await context.stop();
  }
  return results;
}

export function coldSummary(result: ColdStartResult): string {
  return result.error
    ? `${result.id}: ${result.error}`
    : `${result.id}: ${median(result.wallMs).toFixed(0)} ms`;
}
