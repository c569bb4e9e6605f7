import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USER_TEXT } from '../conversation.js';
import type { Endpoints } from '../harness.js';
import { median } from '../stats.js';
import { type Bundle, buildBenchHandler, buildInvoker } from './bundles.js';
import { type ColdContext, type Seed, type Service, startColdContext } from './cold-context.js';
import { type ColdProfile, profileArgs, profileIn, profileLine, summarizeProfile } from './cpu-profile.js';
import { MINIMAL_HANDLERS, PEER_WIRE_HANDLERS } from './minimal-handlers.js';
import { REPOSITORY_HANDLERS } from './repository-handlers.js';

export interface ColdStartResult {
  id: string;
  label: string;
  note: string;
  bundleBytes: number;
  gzipBytes: number;
  /** The load path (what a cold start loads) apart from every chunk; absent in older results. */
  loadGzipBytes?: number;
  wallMs: number[];
  loadMs: number[];
  /** HTTP statuses answered (200: the reply; 202: accepted, the run left to the queue). */
  statuses: string[];
  /** The `node --version` that ran it (BENCH_NODE lists one or more binaries). */
  node: string;
  /** With BENCH_COLD_PROFILE=1: CPU time per module of one more, profiled, cold start. */
  profile?: ColdProfile;
  error?: string;
}

/** How invoke-once calls it: API Gateway event, Function URL stream, SQS record, Azure HTTP. */
export type Kind = 'http' | 'stream' | 'sqs' | 'azure-http';

export interface ColdHandler {
  id: string;
  label: string;
  note: string;
  kind: Kind;
  /** Which emulators (and the scripted OpenAI server) it talks to. */
  uses: Service[];
  /** A worker's session, recorded before each process starts. */
  seed?: Seed;
  /** A message table of its own (pk = session id, sk = sequence) the context creates in DynamoDB Local. */
  chatTable?: string;
  /** Settings its deployment gives it, beyond the services'. */
  env?: Record<string, string>;
  /** The message it answers; default the benchmark's USER_TEXT. */
  text?: string;
  /** Builds (or finds) the bundle; a string is why there is none. */
  bundle(): Promise<Bundle | string>;
  /** The same bundle not minified, with source maps, for the profiled run: its entry file. */
  profileFile(): Promise<string>;
}

/**
 * The node binaries the cold-start processes run: BENCH_NODE, one path or several separated by
 * commas (e.g. this one and a Node 22 from the npm package `node`: `npx -p node@22 which node`),
 * each measured in turn against the same emulators; default the one running the bench.
 */
export const COLD_NODES: readonly string[] = (process.env.BENCH_NODE || process.execPath)
  .split(',')
  .map((path) => path.trim())
  .filter((path) => path !== '');

/** BENCH_COLD_PROFILE=1: one more cold start per handler under `--cpu-prof`, summed per module. */
const PROFILE = process.env.BENCH_COLD_PROFILE === '1';
/** BENCH_COLD_PROFILE_DIR=dir: keep each profiled run's .cpuprofile there (with its import end) to read in DevTools. */
const KEEP_PROFILES = process.env.BENCH_COLD_PROFILE_DIR;

function keepProfile(file: string, name: string, importEndUs: number): void {
  mkdirSync(KEEP_PROFILES!, { recursive: true });
  copyFileSync(file, join(KEEP_PROFILES!, `${name}.cpuprofile`));
  writeFileSync(join(KEEP_PROFILES!, `${name}.import-end-us`), String(importEndUs));
}

function nodeVersion(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

export const COLD_HANDLERS: readonly ColdHandler[] = [
  ...MINIMAL_HANDLERS,
  ...REPOSITORY_HANDLERS,
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
      profileFile: async () => (await buildBenchHandler(id, true)).file,
    }),
  ),
  ...PEER_WIRE_HANDLERS,
  {
    // The AI SDK as a user deploys it on Lambda: durable history, like Baton's handlers keep.
    id: 'ai-sdk-dynamodb',
    label: 'AI SDK 6 with @ai-sdk/openai over the wire fake, messages in DynamoDB',
    note: 'ai-sdk-openai with one Query for the history and one BatchWriteItem for the new messages (AWS SDK bundled); DynamoDB Local + OpenAI wire fake',
    kind: 'http',
    uses: ['dynamodb', 'openai'],
    chatTable: 'ai-sdk-chats',
    env: { BENCH_EXPECT_REPLY: '1', CHAT_TABLE: 'ai-sdk-chats' },
    bundle: () => buildBenchHandler('ai-sdk-dynamodb'),
    profileFile: async () => (await buildBenchHandler('ai-sdk-dynamodb', true)).file,
  },
];

/**
 * The repository app's deployables answer the offline demo model, which "note ..." makes call one
 * tool, then reply; every other handler answers the benchmark's scripted model (in process, or over
 * OpenAI's wire protocol for the minimal app), which the benchmark's message makes do the same.
 */
function textFor(handler: ColdHandler): string {
  return handler.text ?? USER_TEXT;
}

/** The AWS SDK's notice about Node 22 says nothing about the handler. */
const NOISE =
  /NodeVersionSupportWarning|first week of January|node >=22|continue receiving|a\.co\/|trace-warnings/;

interface Timing {
  wallMs: number;
  loadMs: number;
  /** When the import ended, on the process's monotonic clock in µs (a CPU profile's clock). */
  importEndUs: number;
  status: string;
}

function invoke(
  node: string,
  nodeArgs: readonly string[],
  invoker: string,
  handler: ColdHandler,
  file: string,
  env: Record<string, string>,
): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const start = performance.now();
    const child = spawn(node, [...nodeArgs, invoker, handler.kind, file], {
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
      const answer = JSON.parse(line) as { loadMs: number; importEndUs: number; status: unknown };
      resolve({
        wallMs,
        loadMs: answer.loadMs,
        importEndUs: answer.importEndUs,
        status: typeof answer.status === 'number' ? String(answer.status) : 'ok',
      });
    });
  });
}

/**
 * Builds every selected handler, then, on each node of BENCH_NODE, starts each one `runs` times in
 * a fresh process, handlers interleaved (one round of each before the next), after one untimed
 * round that warms the file cache. One result per handler and node, in the order of the nodes.
 */
export async function runColdStarts(
  selectedIds: (id: string) => boolean,
  runs: number,
  endpoints: Endpoints,
): Promise<ColdStartResult[]> {
  const handlers = COLD_HANDLERS.filter((handler) => selectedIds(handler.id));
  const invoker = await buildInvoker();
  const bundles: { handler: ColdHandler; bundle: Bundle | string }[] = [];
  for (const handler of handlers) bundles.push({ handler, bundle: await handler.bundle() });
  const nodes = COLD_NODES.map((path) => ({ path, version: nodeVersion(path) }));
  const results: ColdStartResult[] = [];
  const uses = new Set(
    bundles.filter((entry) => typeof entry.bundle !== 'string').flatMap((entry) => entry.handler.uses),
  );
  const context: ColdContext = await startColdContext(uses, endpoints);
  try {
    for (const node of nodes) {
      const ready: { handler: ColdHandler; bundle: Bundle; result: ColdStartResult }[] = [];
      for (const { handler, bundle } of bundles) {
        const result: ColdStartResult = {
          id: handler.id,
          label: nodes.length > 1 ? `${handler.label}, Node ${node.version}` : handler.label,
          note: handler.note,
          bundleBytes: typeof bundle === 'string' ? 0 : bundle.bytes,
          gzipBytes: typeof bundle === 'string' ? 0 : bundle.gzipBytes,
          loadGzipBytes: typeof bundle === 'string' ? 0 : bundle.loadGzipBytes,
          wallMs: [],
          loadMs: [],
          statuses: [],
          node: node.version,
          ...(typeof bundle === 'string' ? { error: bundle } : {}),
        };
        results.push(result);
        if (typeof bundle !== 'string') ready.push({ handler, bundle, result });
      }
      // Round 0 only warms the file cache; the round after the last is the profiled one.
      const rounds = runs + (PROFILE ? 1 : 0);
      for (let round = 0; round <= rounds; round++) {
        for (const entry of ready) {
          if (entry.result.error) continue;
          const session = `cold-${entry.handler.id}-${node.version}-${round}`;
          const profiled = PROFILE && round === rounds;
          const profileDir = profiled ? mkdtempSync(join(tmpdir(), 'baton-cold-prof-')) : undefined;
          try {
            const env = await context.prepare(entry.handler, session, textFor(entry.handler));
            const args = profileDir ? profileArgs(profileDir) : [];
            const file = profileDir ? await entry.handler.profileFile() : entry.bundle.file;
            const timing = await invoke(node.path, args, invoker, entry.handler, file, env);
            if (profileDir) {
              entry.result.profile = summarizeProfile(profileIn(profileDir), timing.importEndUs);
              if (KEEP_PROFILES)
                keepProfile(
                  profileIn(profileDir),
                  `${entry.handler.id}-node${node.version}`,
                  timing.importEndUs,
                );
              continue;
            }
            if (round === 0) continue;
            entry.result.wallMs.push(timing.wallMs);
            entry.result.loadMs.push(timing.loadMs);
            if (!entry.result.statuses.includes(timing.status)) entry.result.statuses.push(timing.status);
          } catch (error) {
            entry.result.error = (error as Error).message.split('\n').slice(0, 3).join(' ');
          } finally {
            if (profileDir) rmSync(profileDir, { recursive: true, force: true });
          }
        }
      }
    }
  } finally {
    await context.stop();
  }
  return results;
}

export function coldSummary(result: ColdStartResult): string {
  const head = `${result.id} (node ${result.node})`;
  if (result.error) return `${head}: ${result.error}`;
  const lines = [
    `${head}: ${median(result.wallMs).toFixed(0)} ms, import ${median(result.loadMs).toFixed(0)} ms`,
  ];
  if (result.profile) {
    lines.push(`  CPU while importing, ${profileLine(result.profile.importMs)}`);
    lines.push(`  CPU while answering, ${profileLine(result.profile.answerMs)}`);
  }
  return lines.join('\n');
}
