import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLocalSoak, type Kill, type LocalSoakAudit } from './audit.js';
import { FAULT_KINDS, type FaultKind, startFaultModel } from './fault-model.js';
import { Random } from './random.js';
import { type ServeProcess, startServe } from './server-process.js';
import { approver, listSessions, sessionTraffic, TrafficLog } from './traffic.js';

export interface LocalSoakOptions {
  seconds: number;
  seed: number;
  /** Seconds between kills, drawn from [min, max] (seeded). */
  killEverySeconds: [number, number];
  /** Share of model requests that fail. */
  faultRate: number;
  sessions: number;
  /** How long the sessions may take to go idle once the traffic stopped. */
  drainSeconds: number;
  /** BATON_MODEL_CALL_MS: the budget that ends a model call the fake never answers. */
  modelCallMs: number;
  log?: (line: string) => void;
}

export interface LocalSoakResult {
  options: LocalSoakOptions;
  kills: number;
  restartsMs: number[];
  modelRequests: number;
  faults: Record<FaultKind, number>;
  traffic: TrafficLog;
  /** False when some session was not idle by the drain deadline. */
  drained: boolean;
  notIdle: string[];
  audit: LocalSoakAudit;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function scratchDir(): string {
  // On /dev/shm where there is one (as the reliability suite does): a SIGKILL loses nothing the page cache holds.
  return mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'baton-soak-local-'));
}

/**
 * The local soak: a real `baton serve` on a SQLite file, its model a fake OpenAI-compatible server
 * that fails a seeded share of requests, HTTP traffic from several sessions (duplicates, approvals),
 * and a SIGKILL of the server every few seconds (seeded) followed by a restart on the same file.
 * After the traffic, it waits for every session to go idle and audits them through the HTTP API.
 */
export async function runLocalSoak(options: LocalSoakOptions): Promise<LocalSoakResult> {
  const log = options.log ?? (() => {});
  const random = new Random(options.seed);
  const [faultRandom, killRandom] = [random.fork(), random.fork()];
  const dir = scratchDir();
  const ledger = join(dir, 'executions.jsonl');
  const model = await startFaultModel({
    rate: options.faultRate,
    random: faultRandom,
    hangMs: options.modelCallMs + 5_000,
  });
  const env = {
    BATON_DATA_DIR: dir,
    BATON_MODEL: 'openai-compatible:soak-model',
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'soak-key',
    BATON_MODEL_CALL_MS: String(options.modelCallMs),
    SOAK_LEDGER: ledger,
  };
  let server: ServeProcess | undefined;
  let url: string | undefined;
  const current = () => url;
  const kills: Kill[] = [];
  const restartsMs: number[] = [];
  const trafficLog = new TrafficLog();
  let trafficRunning = true;
  let draining = true;
  try {
    server = await startServe(env);
    url = server.url;
    log(`soak: baton serve at ${url}, data in ${dir}, ${options.seconds} s of traffic, seed ${options.seed}`);
    const trafficEnds = pause(options.seconds * 1000).then(() => {
      trafficRunning = false;
    });
    const traffic = Array.from({ length: options.sessions }, (_, index) =>
      sessionTraffic(current, trafficLog, `s${index}`, random.fork(), () => trafficRunning),
    );
    const approving = approver(current, trafficLog, () => draining);
    for (;;) {
      const [min, max] = options.killEverySeconds;
      await Promise.race([pause(killRandom.between(min * 1000, max * 1000)), trafficEnds]);
      if (!trafficRunning) break;
      const running = new Map(
        ((await listSessions(current, 'running')) ?? []).map((s) => [s.sessionId, s.seq]),
      );
      const at = Date.now();
      url = undefined;
      await server.kill();
      kills.push({ at, running });
      server = await startServe(env);
      url = server.url;
      restartsMs.push(Date.now() - at);
      log(
        `soak: kill ${kills.length} (${running.size} runs in progress), listening again after ${Date.now() - at} ms`,
      );
    }
    await Promise.all(traffic);
    log(`soak: traffic stopped (${trafficLog.inputs()} inputs); waiting for every session to go idle`);
    const notIdle = await drain(current, trafficLog, options.drainSeconds * 1000);
    draining = false;
    await approving;
    const audit = await auditLocalSoak(current, trafficLog, ledger, kills);
    return {
      options,
      kills: kills.length,
      restartsMs,
      modelRequests: model.requests,
      faults: { ...model.faults },
      traffic: trafficLog,
      drained: notIdle.length === 0,
      notIdle,
      audit,
    };
  } catch (error) {
    if (server) log(`soak: server output:\n${server.output()}`);
    throw error;
  } finally {
    trafficRunning = false;
    draining = false;
    await server?.stop();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Polls the session list until every session the traffic used is idle (or failed, which the audit
 * counts), the approver still approving; returns the sessions still busy at the deadline.
 */
async function drain(
  url: () => string | undefined,
  traffic: TrafficLog,
  deadlineMs: number,
): Promise<string[]> {
  const until = Date.now() + deadlineMs;
  let busy = [...traffic.sessions.keys()];
  while (Date.now() < until) {
    const sessions = await listSessions(url);
    if (sessions) {
      const status = new Map(sessions.map((session) => [session.sessionId, session.status]));
      busy = [...traffic.sessions.keys()].filter((id) => !['idle', 'failed'].includes(status.get(id) ?? ''));
      if (busy.length === 0) return [];
    }
    await pause(200);
  }
  return busy;
}

/** What went wrong, as counts; the soak passes when every one is 0. */
export function failureCounts(result: LocalSoakResult): Record<string, number> {
  const { audit } = result;
  return {
    lost: audit.lost,
    unanswered: audit.unanswered,
    duplicates: audit.duplicates,
    failedRuns: audit.failedRuns,
    refused: result.traffic.refused.length,
    notIdle: result.notIdle.length,
  };
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const seconds = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

/** The report `npm run soak` prints. */
export function localSoakReport(result: LocalSoakResult): string[] {
  const { audit, traffic } = result;
  const faults = FAULT_KINDS.map((kind) => `${kind} ${result.faults[kind]}`).join(', ');
  const totalFaults = FAULT_KINDS.reduce((sum, kind) => sum + result.faults[kind], 0);
  return [
    `## Local soak: ${result.options.seconds} s, seed ${result.options.seed}, ${result.options.sessions} sessions`,
    `kills: ${result.kills} (restart to listening p50 ${seconds(quantile(result.restartsMs, 0.5))}, p99 ${seconds(quantile(result.restartsMs, 0.99))})`,
    `model: ${result.modelRequests} requests, ${totalFaults} faults (${faults})`,
    `traffic: ${traffic.inputs()} inputs in ${audit.sessions} sessions, ${traffic.deliveries} deliveries (${traffic.duplicateDeliveries} deliberate duplicates), ${traffic.approvals} approvals`,
    `answered exactly once: ${audit.answered} of ${audit.inputs}; tool executions ${audit.executions}, unknown outcomes ${audit.unknownOutcomes}`,
    `lost ${audit.lost}, unanswered ${audit.unanswered}, duplicates ${audit.duplicates} (inputs ${audit.duplicateInputs}, replies ${audit.duplicateReplies}, executions ${audit.duplicateExecutions}), failed runs ${audit.failedRuns}, refused ${traffic.refused.length}, not idle ${result.notIdle.length}`,
    `recovery (kill -> next committed step of an interrupted run): p50 ${seconds(quantile(audit.recoveriesMs, 0.5))}, p99 ${seconds(quantile(audit.recoveriesMs, 0.99))}, max ${seconds(audit.recoveriesMs.length ? Math.max(...audit.recoveriesMs) : Number.NaN)} over ${audit.recoveriesMs.length} kills (${audit.idleKills} with no run in progress)`,
    ...audit.problems.slice(0, 20).map((problem) => `  problem: ${problem}`),
  ];
}
