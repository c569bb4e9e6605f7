import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CloudRecoveryRow } from '../cloud-recovery/cloud-recovery.js';
import { quantile } from '../stats.js';
import { cloudRecoveryReport, runCloudRecovery } from './cloud-part.js';
import { recordRecovery } from './recovery-record.js';

/**
 * Recovery after a crash of the local server (issue 15 defect 3): a real `startLocalApp` child
 * process (bench/recovery/recovery-server.ts, default settings) is SIGKILLed at a crash point and
 * started again on the same SQLite file; the figure is the time from the kill to the first step
 * the restarted server commits for the interrupted session (a model response, a tool result or
 * run_finished), restart included. Printed, never asserted; the overall figures are also kept in
 * bench/recovery/figures.json for the reliability suite's table.
 */
export const CRASH_POINTS = ['model', 'tool', 'approval', 'queued'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface RecoveryResult {
  /** The local server, or a cloud host's worker (bench/recovery/cloud-part.ts). */
  host: 'local' | 'aws' | 'azure';
  point: CrashPoint | 'all';
  runs: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * Kill to the restarted server listening: the part that is process start. On a cloud host, kill
   * to the run message delivered again (the queue's part).
   */
  restartP50Ms: number;
  restartP99Ms: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROGRESS = new Set(['model_response', 'tool_result', 'run_finished']);

interface Server {
  child: ChildProcess;
  url: string;
  stalled: Promise<void>;
  kill(): Promise<void>;
}

async function bundle(): Promise<{ path: string; dispose(): void }> {
  const outdir = `${ROOT}node_modules/.cache/baton-recovery/${process.pid}-${Date.now()}`;
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [`${ROOT}bench/recovery/recovery-server.ts`],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    external: ['better-sqlite3', '@aws-sdk/*', '@azure/*', '@smithy/*', '@slack/*', 'openai'],
    conditions: ['@baton/source'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return {
    path: `${outdir}/recovery-server.js`,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

function start(script: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onStall: () => void = () => {};
  const stalled = new Promise<void>((resolve) => {
    onStall = resolve;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('stalled')) onStall();
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match) {
        resolve({
          child,
          url: match[1]!,
          stalled,
          async kill() {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`recovery server exited (${code}):\n${output}`)));
  });
}

async function events(url: string, session: string): Promise<{ seq: number; kind: string }[]> {
  const response = await fetch(`${url}/sessions/${session}/events?limit=1000`);
  if (response.status === 404) return [];
  return ((await response.json()) as { events: { seq: number; kind: string }[] }).events;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Drives a fresh server to `point` and resolves once it is stalled there. */
async function crashAt(script: string, dir: string, point: CrashPoint, session: string): Promise<Server> {
  const env = { BATON_DATA_DIR: dir, RECOVERY_PHASE: 'crash' };
  const server = await start(script, point === 'queued' ? { ...env, RECOVERY_QUEUED: session } : env);
  const messages = `${server.url}/sessions/${session}/messages`;
  if (point === 'model' || point === 'tool') {
    post(messages, { text: point }).catch(() => undefined);
  } else if (point === 'approval') {
    await (await post(messages, { text: 'approve' })).text();
    await (await post(`${server.url}/sessions/${session}/approvals/guarded-1`, { approved: true })).text();
  }
  await server.stalled;
  return server;
}

/** One crash and restart: milliseconds from the kill to progress, and to listening again. */
async function once(
  script: string,
  point: CrashPoint,
  index: number,
): Promise<{ recovery: number; restart: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-recovery-'));
  const session = `${point}-${index}`;
  try {
    const crashed = await crashAt(script, dir, point, session);
    const seen = Math.max(0, ...(await events(crashed.url, session)).map((event) => event.seq));
    const killedAt = performance.now();
    await crashed.kill();
    const restarted = await start(script, { BATON_DATA_DIR: dir, RECOVERY_PHASE: 'resume' });
    const restart = performance.now() - killedAt;
    try {
      for (;;) {
        const log = await events(restarted.url, session);
        if (log.some((event) => event.seq > seen && PROGRESS.has(event.kind))) break;
        if (performance.now() - killedAt > 600_000) throw new Error(`${session}: no progress in 10 minutes`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { recovery: performance.now() - killedAt, restart };
    } finally {
      await restarted.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `runs` crashes of the local server at each point (one row per point and one over all of them),
 * then `cloudRuns` (BENCH_CLOUD_RECOVERY_RUNS, default 8; 0 skips it) worker crashes on each cloud
 * host, one row per host.
 */
export async function runRecovery(
  runs: number,
  log: (line: string) => void = () => {},
  cloudRuns = Number(process.env.BENCH_CLOUD_RECOVERY_RUNS ?? 8),
): Promise<RecoveryResult[]> {
  const rows = await runLocalRecovery(runs, log);
  if (cloudRuns > 0) rows.push(...(await runCloudRecovery(cloudRuns, log)).map(fromCloud));
  return rows;
}

function fromCloud(row: CloudRecoveryRow): RecoveryResult {
  return {
    host: row.host,
    point: 'all',
    runs: row.runs,
    p50Ms: row.progressP50Ms,
    p99Ms: row.progressP99Ms,
    restartP50Ms: row.backP50Ms,
    restartP99Ms: row.backP99Ms,
  };
}

async function runLocalRecovery(runs: number, log: (line: string) => void): Promise<RecoveryResult[]> {
  const built = await bundle();
  const rows: RecoveryResult[] = [];
  const all: { recovery: number; restart: number }[] = [];
  try {
    for (const point of CRASH_POINTS) {
      const samples: { recovery: number; restart: number }[] = [];
      for (let i = 0; i < runs; i++) samples.push(await once(built.path, point, i));
      all.push(...samples);
      rows.push(summarize(point, samples));
      log(`bench: recovery after a crash ${describePoint(point)}: ${format(rows.at(-1)!)}`);
    }
  } finally {
    built.dispose();
  }
  rows.push(summarize('all', all));
  const overall = rows.at(-1)!;
  recordRecovery('local', {
    measuredAt: new Date().toISOString(),
    runs: overall.runs,
    p50Ms: Math.round(overall.p50Ms),
    p99Ms: Math.round(overall.p99Ms),
    source: `bench/recovery (${runs} kills per crash point: ${CRASH_POINTS.join(', ')})`,
  });
  return rows;
}

function summarize(
  point: RecoveryResult['point'],
  samples: { recovery: number; restart: number }[],
): RecoveryResult {
  const recoveries = samples.map((sample) => sample.recovery);
  const restarts = samples.map((sample) => sample.restart);
  return {
    host: 'local',
    point,
    runs: samples.length,
    p50Ms: quantile(recoveries, 0.5),
    p99Ms: quantile(recoveries, 0.99),
    restartP50Ms: quantile(restarts, 0.5),
    restartP99Ms: quantile(restarts, 0.99),
  };
}

export function describePoint(point: RecoveryResult['point']): string {
  switch (point) {
    case 'model':
      return 'during a model call';
    case 'tool':
      return 'during a tool';
    case 'approval':
      return 'in the run an approval queued';
    case 'queued':
      return 'with a message waiting in the local queue';
    case 'all':
      return 'over all crash points';
  }
}

function format(row: RecoveryResult): string {
  return `p50 ${(row.p50Ms / 1000).toFixed(2)} s, p99 ${(row.p99Ms / 1000).toFixed(2)} s (${row.runs} runs; restart p50 ${(row.restartP50Ms / 1000).toFixed(2)} s, p99 ${(row.restartP99Ms / 1000).toFixed(2)} s)`;
}

/** The markdown tables `npm run bench` prints: the local server's, then the cloud hosts'. */
export function recoveryReport(rows: RecoveryResult[]): string[] {
  const local = rows.filter((row) => row.host === 'local');
  const cloud = rows.filter((row) => row.host !== 'local');
  return [
    ...(local.length > 0 ? localReport(local) : []),
    ...(local.length > 0 && cloud.length > 0 ? [''] : []),
    ...(cloud.length > 0
      ? cloudRecoveryReport(
          cloud.map((row) => ({
            host: row.host as 'aws' | 'azure',
            runs: row.runs,
            backP50Ms: row.restartP50Ms,
            backP99Ms: row.restartP99Ms,
            progressP50Ms: row.p50Ms,
            progressP99Ms: row.p99Ms,
          })),
        )
      : []),
  ];
}

function localReport(rows: RecoveryResult[]): string[] {
  return [
    '## Recovery after a crash (local server, default settings)',
    '',
    'SIGKILL of a real local server process at each crash point, then a restart on the same SQLite file;',
    'time from the kill to the first step the restarted server commits for the interrupted session.',
    '',
    '| crash | runs | p50 | p99 | of which restart, p50 | restart, p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${describePoint(row.point)} | ${row.runs} | ${(row.p50Ms / 1000).toFixed(2)} s | ${(row.p99Ms / 1000).toFixed(2)} s | ${(row.restartP50Ms / 1000).toFixed(2)} s | ${(row.restartP99Ms / 1000).toFixed(2)} s |`,
    ),
  ];
}
