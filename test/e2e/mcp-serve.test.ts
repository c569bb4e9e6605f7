import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDEMPOTENCY_META_KEY } from '@baton/mcp';
import { type McpTestServer, startMcpServer } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually } from './dev-server-process.js';
import { McpChatModel } from './mcp/mcp-chat-model.js';
import { type ServeProcess, startServe } from './serve-config-process.js';

const CONFIG = fileURLToPath(new URL('./mcp/mcp-serve.config.ts', import.meta.url));

interface StoredEvent {
  seq: number;
  kind: string;
  callId?: string;
  name?: string;
  outcome?: string;
  output?: unknown;
  toolCalls?: { callId: string; name: string }[];
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function events(server: ServeProcess, session: string): Promise<StoredEvent[]> {
  const response = await fetch(`${server.url}/sessions/${session}/events?limit=1000`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

async function session(
  server: ServeProcess,
  id: string,
): Promise<{ status: string; pendingApprovals: { callId: string }[] }> {
  const response = await fetch(`${server.url}/sessions/${id}`);
  return ((await response.json()) as { session: { status: string; pendingApprovals: { callId: string }[] } })
    .session;
}

const call = (calls: { name: string; args: unknown }[]) => ({ text: `call ${JSON.stringify(calls)}` });

describe('MCP tools under baton serve (child process)', () => {
  const model = new McpChatModel();
  let mcp: McpTestServer;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await model.start();
    mcp = await startMcpServer([
      {
        name: 'lookup_order',
        description: 'Find an order',
        inputSchema: { orderId: z.string() },
        annotations: { readOnlyHint: true },
        run: ({ orderId }) => ({ orderId, status: 'shipped' }),
      },
      {
        name: 'create_ticket',
        description: 'Open a support ticket',
        inputSchema: { title: z.string() },
        annotations: { destructiveHint: true },
        run: ({ title }) => ({ ticket: `T-${title}` }),
      },
      {
        name: 'refund_order',
        description: 'Refund an order',
        inputSchema: { orderId: z.string() },
        run: ({ orderId }) => ({ refunded: orderId }),
      },
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'baton-mcp-e2e-'));
    env = {
      MCP_URL: mcp.url,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'test-key',
      BATON_MODEL: 'fake-chat',
      BATON_SYNC_WAIT_MS: '1500',
      // A short lease so recovery after SIGKILL takes about a second, not a quarter of a minute.
      BATON_LEASE_MS: '1000',
      BATON_MODEL_CALL_MS: '1000',
      BATON_DATA_DIR: dataDir,
    };
  });

  afterAll(async () => {
    await mcp.close();
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs an approval-gated MCP tool once it is approved over HTTP', async () => {
    const server = await startServe(CONFIG, env);
    try {
      const sent = await post(
        `${server.url}/sessions/refund/messages`,
        call([{ name: 'refund_order', args: { orderId: '7' } }]),
      );
      expect(sent.status).toBeLessThan(300);
      const waiting = await eventually(async () => {
        const view = await session(server, 'refund');
        return view.status === 'waiting_approval' ? view : undefined;
      }, 'the refund to wait for approval');
      expect(mcp.executions('refund_order')).toBe(0);
      const callId = waiting.pendingApprovals[0]!.callId;
      const decided = await post(`${server.url}/sessions/refund/approvals/${callId}`, { approved: true });
      expect(decided.status).toBeLessThan(300);
      await eventually(
        async () => ((await session(server, 'refund')).status === 'idle' ? true : undefined),
        'the refund run to finish',
      );
      expect(mcp.executions('refund_order')).toBe(1);
      const refund = mcp.calls.find((entry) => entry.tool === 'refund_order')!;
      expect(refund.headers['x-tenant']).toBe('default');
      expect(String(refund.meta?.[IDEMPOTENCY_META_KEY])).toContain(callId);
      const results = (await events(server, 'refund')).filter((event) => event.kind === 'tool_result');
      expect(results.map((event) => [event.name, event.outcome])).toEqual([['refund_order', 'ok']]);
    } finally {
      await server.stop();
    }
  });

  it('survives a SIGKILL in the middle of MCP calls and records no call twice', async () => {
    const first = await startServe(CONFIG, env);
    const ticket = mcp.hold('create_ticket');
    const lookup = mcp.hold('lookup_order');
    const ticketsBefore = mcp.executions('create_ticket');
    const lookupsBefore = mcp.executions('lookup_order');
    const answer = post(
      `${first.url}/sessions/crash/messages`,
      call([
        { name: 'lookup_order', args: { orderId: '42' } },
        { name: 'create_ticket', args: { title: 'printer' } },
      ]),
    ).catch(() => 'connection lost');
    await Promise.all([ticket.arrived, lookup.arrived]);
    await first.kill();
    const killedAt = performance.now();
    const listings = mcp.listings();
    // Answered 202 after the sync wait, or cut by the kill: either way the run was not finished.
    expect(await answer).not.toMatchObject({ body: { state: 'finished' } });

    const second = await startServe(CONFIG, env);
    try {
      const listening = performance.now() - killedAt;
      const log = await eventually(async () => {
        const current = await events(second, 'crash');
        return current.at(-1)?.kind === 'run_finished' ? current : undefined;
      }, 'the interrupted run to finish after restart');
      const recovered = performance.now() - killedAt;
      console.log(
        `MCP SIGKILL recovery: restart listening after ${Math.round(listening)} ms, run finished ${Math.round(recovered)} ms after the kill`,
      );
      const results = log.filter((event) => event.kind === 'tool_result');
      const ids = results.map((event) => event.callId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(Object.fromEntries(results.map((event) => [event.name, event.outcome]))).toEqual({
        lookup_order: 'ok',
        create_ticket: 'unknown',
      });
      // The at-most-once tool ran once (the held execution); the idempotent one may run again.
      expect(mcp.executions('create_ticket') - ticketsBefore).toBe(1);
      expect(mcp.executions('lookup_order') - lookupsBefore).toBeGreaterThanOrEqual(1);
      expect(log.filter((event) => event.kind === 'tool_intent').map((event) => event.name)).toEqual([
        'create_ticket',
      ]);
      expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index + 1));
      // The restarted process built the tools from the listing recorded before the kill.
      expect(mcp.listings()).toBe(listings);
    } finally {
      ticket.release();
      lookup.release();
      await second.stop();
    }
  });
});
