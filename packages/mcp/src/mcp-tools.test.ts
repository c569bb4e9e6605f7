import { defineAgent, defineBaton, type EventOf, type SessionEvent } from '@baton/core';
import {
  callTools,
  type McpTestServer,
  reply,
  ScriptedModel,
  startMcpServer,
  type TestApp,
  testApp,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IDEMPOTENCY_META_KEY } from './mcp-connection.js';
import { mcpServer } from './mcp-server.js';

const ref = (sessionId: string) => ({ tenant: 'default', sessionId });
/** Longer than the agent's reservation before a model call (60 s). */
const BUDGET_MS = 10 * 60_000;

function app(mcp: McpTestServer, model: ScriptedModel, url = mcp.url): TestApp {
  return testApp(
    defineBaton({
      agents: [
        defineAgent({
          name: 'support',
          instructions: 'Help.',
          toolSources: [
            mcpServer({
              name: 'shop',
              url,
              headers: ({ tenant }) => ({ authorization: `Bearer token-of-${tenant}` }),
              tools: { refund_order: { needsApproval: true } },
              listTimeoutMs: 2_000,
            }),
          ],
        }),
      ],
    }),
    { model },
  );
}

async function log(t: TestApp, sessionId: string): Promise<SessionEvent[]> {
  return t.app.baton.events(ref(sessionId), { limit: 1000 });
}

const results = (events: SessionEvent[]) =>
  events.filter((event): event is EventOf<'tool_result'> => event.kind === 'tool_result');

describe('mcpServer tools', () => {
  let mcp: McpTestServer;

  beforeAll(async () => {
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
        description: 'Open a ticket',
        inputSchema: { title: z.string() },
        annotations: { destructiveHint: true },
        run: ({ title }, call) => ({ ticket: `T-${title}`, key: call.meta?.[IDEMPOTENCY_META_KEY] }),
      },
      {
        name: 'refund_order',
        description: 'Refund an order',
        inputSchema: { orderId: z.string() },
        run: ({ orderId }) => ({ refunded: orderId }),
      },
    ]);
  });

  afterAll(async () => {
    await mcp.close();
  });

  it('lists once per session and gives every later invocation the recorded tools', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: '42' } }]),
      reply('Shipped.'),
      callTools([{ name: 'lookup_order', args: { orderId: '43' } }]),
      reply('Also shipped.'),
    ]);
    const t = app(mcp, model);
    const before = mcp.listings();
    await t.send('cache', 'where is 42?');
    await t.send('cache', 'and 43?');
    expect(mcp.listings() - before).toBe(1);
    const events = await log(t, 'cache');
    const responses = events.filter((event) => event.kind === 'model_response');
    expect(responses.map((event) => event.toolListings?.length ?? 0)).toEqual([1, 0, 0, 0]);
    const toolNames = model.calls.map((call) => call.tools.map((tool) => tool.name).sort());
    expect(new Set(toolNames.map((names) => names.join()))).toEqual(
      new Set(['create_ticket,lookup_order,refund_order']),
    );
    expect(results(events).map((event) => event.outcome)).toEqual(['ok', 'ok']);
    expect(results(events)[0]?.output).toEqual({ orderId: '42', status: 'shipped' });
    // The model sees the server's own JSON Schema.
    expect(model.calls[0]?.tools.find((tool) => tool.name === 'lookup_order')?.parameters).toMatchObject({
      type: 'object',
      properties: { orderId: { type: 'string' } },
    });
  });

  it('runs a destructive tool at most once, behind an intent, with the idempotency key and tenant credentials', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'create_ticket', args: { title: 'jam' } }]),
      reply('Opened.'),
    ]);
    const t = app(mcp, model);
    const before = mcp.executions('create_ticket');
    await t.send('ticket', 'printer jam');
    expect(mcp.executions('create_ticket') - before).toBe(1);
    const events = await log(t, 'ticket');
    expect(events.filter((event) => event.kind === 'tool_intent')).toHaveLength(1);
    const call = mcp.calls.at(-1)!;
    expect(call.headers.authorization).toBe('Bearer token-of-default');
    const response = events.find((event) => event.kind === 'model_response')!;
    const callId = (response as EventOf<'model_response'>).toolCalls[0]!.callId;
    expect(call.meta?.[IDEMPOTENCY_META_KEY]).toBe(`default/ticket/${response.seq}/${callId}`);
  });

  it('waits for approval of a gated tool and runs it once when approved over HTTP', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'refund_order', args: { orderId: '7' } }]),
      reply('Refunded.'),
    ]);
    const t = app(mcp, model);
    const first = await t.send('refund', 'refund 7');
    expect(first.session.status).toBe('waiting_approval');
    expect(mcp.executions('refund_order')).toBe(0);
    const callId = first.session.pendingApprovals[0]!.callId;
    const response = await t.app.fetch(
      new Request(`http://test/sessions/refund/approvals/${callId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ approved: true }),
      }),
      { deadline: Date.now() + BUDGET_MS },
    );
    expect(response.status).toBeLessThan(300);
    await t.app.baton.run(ref('refund'), { deadline: Date.now() + BUDGET_MS });
    expect(mcp.executions('refund_order')).toBe(1);
    expect((await t.app.baton.session(ref('refund'))).status).toBe('idle');
    expect(results(await log(t, 'refund')).map((event) => event.output)).toEqual([{ refunded: '7' }]);
  });

  it('feeds arguments that fail the input schema back to the model without calling the server', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: 42 } }]),
      reply('Sorry.'),
    ]);
    const t = app(mcp, model);
    const before = mcp.executions('lookup_order');
    await t.send('invalid', 'where is 42?');
    expect(mcp.executions('lookup_order')).toBe(before);
    const [result] = results(await log(t, 'invalid'));
    if (!result) throw new Error('no tool result recorded');
    expect(result.outcome).toBe('error');
    expect((result.output as { error: string }).error).toContain('invalid arguments for lookup_order');
  });

  it('records a failing server as a tool error the model sees, and the run finishes', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: '1' } }]),
      reply('Found it.'),
      callTools([{ name: 'lookup_order', args: { orderId: '2' } }]),
      reply('The shop is down.'),
    ]);
    const t = app(mcp, model);
    await t.send('down', 'where is 1?');
    mcp.failWith(503);
    try {
      const second = await t.send('down', 'where is 2?');
      expect(second.reply).toBe('The shop is down.');
    } finally {
      mcp.failWith(null);
    }
    const failed = results(await log(t, 'down'))[1]!;
    expect(failed.outcome).toBe('error');
    expect((failed.output as { error: string }).error).toContain('MCP server "shop"');
    expect(model.calls[3]?.messages.at(-1)).toMatchObject({ role: 'tool', isError: true });
  });

  it('records an at-most-once call the server answered 5xx as unknown, and does not run it again', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: '1' } }]),
      reply('Found it.'),
      callTools([{ name: 'create_ticket', args: { title: 'jam' } }]),
      reply('I could not tell whether the ticket was made.'),
    ]);
    const t = app(mcp, model);
    await t.send('half', 'where is 1?');
    const before = mcp.executions('create_ticket');
    mcp.failWith(503);
    try {
      await t.send('half', 'open a ticket');
    } finally {
      mcp.failWith(null);
    }
    const events = await log(t, 'half');
    const ticket = results(events).find((event) => event.name === 'create_ticket');
    if (!ticket) throw new Error('no create_ticket result recorded');
    // A 5xx may come after the server acted: at-most-once means unknown, not an error to retry.
    expect(ticket.outcome).toBe('unknown');
    expect((ticket.output as { error: string }).error).toContain('may or may not have taken effect');
    expect(results(events).filter((event) => event.name === 'create_ticket')).toHaveLength(1);
    expect(mcp.executions('create_ticket')).toBe(before);
  });

  it('goes on without the tools of a server it cannot list, and lists it at the next invocation', async () => {
    const model = new ScriptedModel([reply('I cannot look that up now.'), reply('Now I can.')]);
    const t = app(mcp, model);
    mcp.failWith(503);
    try {
      const first = await t.send('unlisted', 'where is 3?');
      expect(first.state).toBe('finished');
    } finally {
      mcp.failWith(null);
    }
    expect(model.calls[0]?.tools).toEqual([]);
    await t.send('unlisted', 'try again');
    expect(model.calls[1]?.tools.map((tool) => tool.name).sort()).toEqual([
      'create_ticket',
      'lookup_order',
      'refund_order',
    ]);
  });

  it('records a refused connection as a tool error', async () => {
    const closed = await startMcpServer([{ name: 'lookup_order', annotations: { readOnlyHint: true } }]);
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: {} }]),
      reply('Found.'),
      callTools([{ name: 'lookup_order', args: {} }]),
      reply('Unreachable.'),
    ]);
    const t = testApp(
      defineBaton({
        agents: [
          defineAgent({
            name: 'support',
            instructions: 'Help.',
            toolSources: [mcpServer({ name: 'gone', url: closed.url })],
          }),
        ],
      }),
      { model },
    );
    await t.send('refused', 'look');
    await closed.close();
    const second = await t.send('refused', 'look again');
    expect(second.reply).toBe('Unreachable.');
    const failed = results(await log(t, 'refused'))[1]!;
    expect(failed.outcome).toBe('error');
    expect((failed.output as { error: string }).error).toContain('fetch failed');
  });
});
