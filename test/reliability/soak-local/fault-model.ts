import {
  chatCompletionJson,
  chatCompletionSse,
  type FakeResponse,
  type OpenAIFakeTurn,
  openAIError,
  sendRaw,
  sendStream,
  startFakeServer,
} from '@baton/testing';
import type { Random } from './random.js';

export const FAULT_KINDS = ['429', '500', 'timeout', 'garbled', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

interface ChatMessage {
  role: string;
  content?: string | null;
}

/** What the model answers to the message `text` (the audit looks for exactly one per input). */
export const replyTo = (text: string) => `answer: ${text}`;

/**
 * The turn the fake model gives: `ticket ...` and `email ...` call the at-most-once tools, a tool
 * result or any other message gets the reply for the turn's message (its last user message, which
 * with one reply per input is the message this turn answers); a request without tools (compaction's
 * summary) gets a summary. Call ids are unique per response.
 */
function turnFor(messages: ChatMessage[], callId: string, tools: boolean): OpenAIFakeTurn {
  if (!tools) return { text: 'summary of the conversation so far', usage: { input: 20, output: 5 } };
  const last = messages.at(-1);
  const asked = String(messages.findLast((message) => message.role === 'user')?.content ?? '');
  const usage = { input: 20, output: 5 };
  if (last?.role !== 'tool') {
    if (asked.startsWith('ticket ')) {
      const title = JSON.stringify({ title: asked });
      return { toolCalls: [{ id: callId, name: 'create_ticket', arguments: title }], usage };
    }
    if (asked.startsWith('email ')) {
      const subject = JSON.stringify({ subject: asked });
      return { toolCalls: [{ id: callId, name: 'send_email', arguments: subject }], usage };
    }
  }
  return { text: replyTo(asked), usage };
}

export interface FaultModel {
  baseURL: string;
  requests: number;
  faults: Record<FaultKind, number>;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible Chat Completions server on 127.0.0.1 that answers like a model (see
 * `turnFor`) and, at `rate`, instead fails the request the ways providers do: throttled (429),
 * server error (500), no answer until the client's call budget ends it (`timeout`, the connection
 * is dropped after `hangMs`), a garbled JSON body, or a body cut off halfway. The fault sequence
 * comes from the seeded `random`.
 */
export async function startFaultModel(options: {
  rate: number;
  random: Random;
  hangMs: number;
}): Promise<FaultModel> {
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const hanging = new Set<ReturnType<typeof setTimeout>>();
  let calls = 0;
  const state = { requests: 0 };
  const server = await startFakeServer((request, response) => {
    state.requests++;
    const body = (request.body ?? {}) as {
      model?: string;
      stream?: boolean;
      messages?: ChatMessage[];
      tools?: unknown[];
    };
    const model = body.model ?? 'soak';
    const fault = options.random.next() < options.rate ? options.random.pick(FAULT_KINDS) : undefined;
    if (fault) {
      faults[fault]++;
      inject(fault, response, options.hangMs, hanging);
      if (fault !== 'truncated') return;
    }
    calls++;
    const turn = turnFor(body.messages ?? [], `call_soak_${calls}`, (body.tools?.length ?? 0) > 0);
    const id = `chatcmpl-soak-${calls}`;
    if (body.stream) {
      const frames = chatCompletionSse(turn, model, true, id);
      sendStream(
        response,
        { 'content-type': 'text/event-stream' },
        frames,
        fault ? frames.length >> 1 : undefined,
      );
      return;
    }
    const json = JSON.stringify(chatCompletionJson(turn, model, id));
    if (fault)
      sendStream(response, { 'content-type': 'application/json' }, [json.slice(0, json.length >> 1)], 1);
    else sendRaw(response, { status: 200, headers: { 'content-type': 'application/json' }, body: json });
  });
  return {
    baseURL: `${server.url}/v1`,
    get requests() {
      return state.requests;
    },
    faults,
    async close() {
      for (const timer of hanging) clearTimeout(timer);
      await server.close();
    },
  };
}

function inject(
  fault: FaultKind,
  response: FakeResponse,
  hangMs: number,
  hanging: Set<ReturnType<typeof setTimeout>>,
): void {
  if (fault === '429')
    sendRaw(response, openAIError(429, 'injected 429', { headers: { 'retry-after-ms': '50' } }).raw);
  else if (fault === '500') sendRaw(response, openAIError(500, 'injected 500').raw);
  else if (fault === 'garbled') {
    sendRaw(response, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"id": "chatcmpl-cut',
    });
  } else if (fault === 'timeout') {
    const timer = setTimeout(() => {
      hanging.delete(timer);
      response.cut();
    }, hangMs);
    hanging.add(timer);
  }
}
