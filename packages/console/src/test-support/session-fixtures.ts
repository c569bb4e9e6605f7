import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Baton,
  createBaton,
  type EventBody,
  type Head,
  newHead,
  type RunMessage,
  type RunQueue,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';

/** A fresh folder for a test's SQLite files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'baton-dev-'));
}

/**
 * Appends events to a session as one commit, the way a writer does: numbered after the head's
 * seq, head version + 1, usage added up from model responses. For logs with shapes the loop makes
 * rarely (every kind, hostile text) without scripting a whole run.
 */
export async function appendEvents(
  store: SessionStore,
  ref: SessionRef,
  bodies: EventBody[],
  options: { at?: number; head?: Partial<Head> } = {},
): Promise<Head> {
  const at = options.at ?? 1_790_000_000_000;
  const current = (await store.readHead(ref)) ?? newHead(ref.tenant, ref.sessionId, 'assistant', at);
  const events = bodies.map(
    (body, index) =>
      ({ ...body, v: SCHEMA_VERSION, seq: current.seq + index + 1, at: at + index }) as SessionEvent,
  );
  const usage = { ...current.usage };
  for (const event of events) {
    if (event.kind === 'model_response') {
      usage.inputTokens += event.usage.inputTokens;
      usage.outputTokens += event.usage.outputTokens;
    }
  }
  const head: Head = {
    ...current,
    version: current.version + 1,
    seq: current.seq + events.length,
    usage,
    updatedAt: at + events.length,
    ...options.head,
  };
  await store.commit({ ref, expectedVersion: current.version === 0 ? null : current.version, head, events });
  return head;
}

/** One event of every kind, with the figures the console and the CLI show. */
export function everyKind(text = 'plain'): EventBody[] {
  return [
    { kind: 'input', text: `hello ${text}`, source: 'http', sender: 'ada' },
    {
      kind: 'model_response',
      text: `model says ${text}`,
      toolCalls: [
        { callId: 'call-a', name: 'add_note', arguments: JSON.stringify({ text }) },
        { callId: 'call-b', name: 'create_ticket', arguments: JSON.stringify({ title: text }) },
      ],
      usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 200 },
      stopReason: 'tool_calls',
      provider: 'openai',
      model: 'gpt-5-mini',
      latencyMs: 1234,
    },
    {
      kind: 'tool_result',
      callId: 'call-a',
      name: 'add_note',
      outcome: 'ok',
      output: { saved: text },
      statePatch: { notes: [text] },
      durationMs: 42,
    },
    { kind: 'tool_intent', callId: 'call-b', name: 'create_ticket' },
    { kind: 'continuation', reason: 'deadline', nextStep: 'run_tools' },
    {
      kind: 'tool_result',
      callId: 'call-b',
      name: 'create_ticket',
      outcome: 'unknown',
      output: { error: `create_ticket was started but its outcome is unknown ${text}` },
      durationMs: 0,
    },
    { kind: 'interrupt', reason: 'approval', callIds: ['call-b'] },
    { kind: 'decision', callId: 'call-b', approved: false, reason: `no ${text}`, by: 'grace' },
    { kind: 'state_change', patch: { mode: text }, by: 'admin' },
    {
      kind: 'summary',
      text: `summary of ${text}`,
      throughSeq: 3,
      usage: { inputTokens: 100, outputTokens: 10 },
    },
    { kind: 'error', code: 'model_error', message: `the model failed ${text}`, retryable: false },
    { kind: 'outbox', messageId: 'm-1', channel: 'slack', payload: { text } },
    { kind: 'outbox_sent', messageId: 'm-1', receipt: { ts: '1.2' } },
    { kind: 'run_finished', reason: 'failed', text: '' },
  ];
}

/** A queue that keeps what was enqueued (the tests drive runs themselves). */
export class ArrayQueue implements RunQueue {
  readonly messages: RunMessage[] = [];
  async enqueue(message: RunMessage): Promise<void> {
    this.messages.push(message);
  }
}

/** The example agent on the offline demo model over `store`: real runs, no network. */
export function demoBaton(store: SessionStore): { baton: Baton; queue: ArrayQueue } {
  const queue = new ArrayQueue();
  const baton = createBaton({
    store,
    agents: [createExampleAgent(offlineDemoModel())],
    queue,
    logger: silentLogger,
  });
  return { baton, queue };
}

// Far beyond the agent's 60 s model-call reservation, so a run never continues for lack of time.
const RUN_BUDGET_MS = 10 * 60_000;

/** Sends one message and runs it to the end (or to an approval), as the HTTP route does. */
export async function say(baton: Baton, ref: SessionRef, text: string): Promise<void> {
  await baton.converse(ref, { text, source: 'http' }, { deadline: Date.now() + RUN_BUDGET_MS });
}

/** Runs a session whose decision or input is waiting (what the queue worker would do). */
export async function resume(baton: Baton, ref: SessionRef): Promise<void> {
  await baton.run(ref, { deadline: Date.now() + RUN_BUDGET_MS });
}
