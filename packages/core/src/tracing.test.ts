import { callTools, reply } from '@baton/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';
import type { Identity } from './auth/identity.js';
import { formatTraceparent, parseTraceparent } from './tracing.js';

/** Decides as an API key of the test tenant that holds approve (the default approver policy). */
const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager().enable();

  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    context.setGlobalContextManager(contextManager);
  });

  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('records one trace per run across invocations with GenAI spans for model and tool calls', async () => {
    exporter.reset();
    const t = kit([
      callTools([{ name: 'lookup', args: { id: 1 }, callId: 'l1' }]),
      callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]),
      reply('Sent.', { usage: { inputTokens: 321, outputTokens: 12 } }),
    ]);
    await t.baton.submit(t.ref, { text: 'look up and email', source: 'test' });
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('waiting_approval');
    expect((await t.store.readHead(t.ref))?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver });
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('finished');

    const spans = exporter.getFinishedSpans();
    const invocations = spans.filter((span) => span.name === 'invoke_agent tester');
    expect(invocations).toHaveLength(2);
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    // The resuming invocation is a child of the first: the run's trace context came from the head.
    expect(invocations[1]!.parentSpanContext?.spanId).toBe(invocations[0]!.spanContext().spanId);
    const chats = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats).toHaveLength(3);
    expect(chats[2]!.attributes).toMatchObject({
      'gen_ai.provider.name': 'scripted',
      'gen_ai.usage.input_tokens': 321,
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.response.finish_reasons': ['end'],
    });
    const tools = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(tools.map((span) => span.attributes['gen_ai.tool.call.id'])).toEqual(['l1', 'e1']);
    // A finished run ends its trace: the next run starts a new one.
    expect((await t.store.readHead(t.ref))?.traceparent).toBeUndefined();
  });

  it('round-trips traceparents and rejects malformed ones', () => {
    const value = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
    for (const bad of [undefined, '', 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01']) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });
});
