import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './dev-server-process.js';
import { type ServeProcess, startServe } from './serve-config-process.js';

/**
 * Issue 18, agents as tools, on the local server: `baton serve` (SQLite, the durable local queue,
 * real HTTP) with a writer agent that calls a researcher agent as a tool; the researcher's publish
 * tool waits for approval, which the test decides over HTTP on the child session. The process is
 * killed with SIGKILL right after each commit of the hand-off (agents-as-tools.config.ts) and
 * started again on the same data: every call is recorded once and the parent answers once.
 */

const CONFIG = fileURLToPath(new URL('./agents-as-tools.config.ts', import.meta.url));

interface StoredEvent {
  seq: number;
  kind: string;
  callId?: string;
  child?: string;
  text?: string;
  output?: unknown;
  source?: string;
  reason?: string;
}

interface View {
  status: string;
  parent?: { sessionId: string; callId: string };
  children?: {
    callId: string;
    sessionId: string;
    finished: boolean;
    pendingApprovals?: { callId: string }[];
  }[];
}

const CRASH_POINTS = ['child-created', 'parent-intent', 'child-finished'] as const;
const recoveries: { point: string; ms: number }[] = [];

async function view(server: ServeProcess, session: string): Promise<View | undefined> {
  const response = await fetch(`${server.url}/sessions/${encodeURIComponent(session)}`);
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { session: View }).session;
}

async function events(server: ServeProcess, session: string): Promise<StoredEvent[]> {
  const response = await fetch(`${server.url}/sessions/${encodeURIComponent(session)}/events?limit=1000`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

function ledgerLines(path: string): { tool?: string; model?: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('agents as tools on baton serve', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-agents-'));
  });
  afterAll(() => {
    if (recoveries.length > 0) {
      console.log(
        `agents as tools, recovery after SIGKILL (restart to the parent's answer): ${recoveries
          .map(({ point, ms }) => `${point} ${ms} ms`)
          .join(', ')}`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const point of ['none', ...CRASH_POINTS] as const) {
    it(`delegates, the child's approval is decided over HTTP, the parent answers once (crash: ${point})`, async () => {
      const dir = join(dataDir, point);
      const ledger = join(dataDir, `${point}.ledger`);
      const mark = join(dataDir, `${point}.crashed`);
      const env = {
        BATON_DATA_DIR: dir,
        AGENTS_LEDGER: ledger,
        BATON_SYNC_WAIT_MS: '500',
        // A short lease: a killed holder's lease is free within a second.
        BATON_LEASE_MS: '1000',
        BATON_MODEL_CALL_MS: '1000',
      };
      const crashEnv: Record<string, string> =
        point === 'none' ? {} : { AGENTS_CRASH: point, AGENTS_CRASH_MARK: mark };
      let server = await startServe(CONFIG, { ...env, ...crashEnv });
      let restartedAt: number | undefined;
      const restartIfKilled = async () => {
        if (!existsSync(mark) || restartedAt !== undefined) return;
        await server.exited;
        restartedAt = Date.now();
        server = await startServe(CONFIG, env);
      };
      try {
        const sent = await fetch(`${server.url}/sessions/chat/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'm1' },
          body: JSON.stringify({ text: 'write about otters' }),
        }).catch(() => null);
        if (sent) expect(sent.status).toBe(202);
        await restartIfKilled();
        // The parent waits for its child, whose approval its view lists.
        const waiting = await eventually(async () => {
          await restartIfKilled();
          const parent = await view(server, 'chat').catch(() => undefined);
          const child = parent?.children?.[0];
          return child?.pendingApprovals?.length ? { parent: parent!, child } : undefined;
        }, 'the child to wait for approval');
        expect(waiting.parent.status).toBe('waiting_child');
        expect(waiting.child.pendingApprovals).toEqual([expect.objectContaining({ callId: 'p1' })]);
        const childId = waiting.child.sessionId;
        expect(await view(server, childId)).toMatchObject({
          status: 'waiting_approval',
          parent: { sessionId: 'chat', callId: 'r1' },
        });
        const decided = await fetch(`${server.url}/sessions/${encodeURIComponent(childId)}/approvals/p1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ approved: true }),
        }).catch(() => null);
        if (decided) expect(decided.status).toBeLessThan(300);
        const log = await eventually(
          async () => {
            await restartIfKilled();
            const parent = await events(server, 'chat').catch(() => []);
            return parent.at(-1)?.kind === 'run_finished' ? parent : undefined;
          },
          "the parent's answer",
          60_000,
        );
        if (restartedAt !== undefined) recoveries.push({ point, ms: Date.now() - restartedAt });
        if (point !== 'none') expect(existsSync(mark), 'the armed crash happened').toBe(true);
        // The parent: the call started once, its result recorded once, one answer.
        expect(log.filter((event) => event.kind === 'tool_intent')).toEqual([
          expect.objectContaining({ callId: 'r1', child: childId }),
        ]);
        expect(log.filter((event) => event.kind === 'tool_result')).toEqual([
          expect.objectContaining({
            callId: 'r1',
            child: childId,
            output: 'Otters hold hands while they sleep.',
          }),
        ]);
        expect(log.filter((event) => event.kind === 'run_finished')).toEqual([
          expect.objectContaining({ text: 'Report: Otters hold hands while they sleep.' }),
        ]);
        expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index + 1));
        // The child: one input, one decision, publish run once, one end.
        const childLog = await events(server, childId);
        expect(childLog.filter((event) => event.kind === 'input')).toHaveLength(1);
        expect(childLog.filter((event) => event.kind === 'decision')).toHaveLength(1);
        expect(childLog.filter((event) => event.kind === 'run_finished')).toHaveLength(1);
        expect(ledgerLines(ledger).filter((line) => line.tool === 'publish')).toHaveLength(1);
        expect((await view(server, 'chat'))?.children).toEqual([
          expect.objectContaining({ callId: 'r1', sessionId: childId, finished: true }),
        ]);
      } finally {
        await server.stop();
      }
    }, 120_000);
  }
});
