import type { SessionView } from '@baton/core';
import { callTools, reply, StreamingScriptedModel } from '@baton/testing';
import type OpenAI from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { expect } from 'vitest';

/** The example agent's name: what `model` names in every request. */
export const AGENT = 'assistant';

/**
 * The example agent's model for the OpenAI-compatible conversation (any host): `note <text>` saves
 * a note (add_note, no approval), `email <address>` sends an email (send_email, approval-gated),
 * a tool result is answered with "Done: <tool>", anything else with "You said: <text>" and how
 * many user messages the model saw (so a test sees the session's history reach it); a request with
 * an output schema is answered `{"answer": <text>}`.
 *
 * @example
 *   defineBaton({ agents: [createExampleAgent(openAiConversationModel())] })
 */
export function openAiConversationModel(): StreamingScriptedModel {
  return new StreamingScriptedModel((request) => {
    const last = request.messages.at(-1);
    if (last?.role === 'tool') return reply(`Done: ${last.name} went through.`);
    const text = last?.role === 'user' ? last.content : '';
    // A structured-output request (text.format json_schema): the answer is the JSON.
    if (request.output) return reply(JSON.stringify({ answer: text }));
    if (text.startsWith('note ')) {
      return callTools([{ name: 'add_note', args: { text: text.slice(5) } }], { text: 'Writing it down. ' });
    }
    if (text.startsWith('email ')) {
      const to = text.slice(6);
      return callTools([{ name: 'send_email', args: { to, subject: 'Lunch', body: 'Lunch at noon?' } }]);
    }
    const users = request.messages.filter((message) => message.role === 'user').length;
    return reply(`You said: ${text} (message ${users} of this conversation)`);
  });
}

/** How a host under test is reached besides the SDK: its own session route. */
export interface OpenAiHost {
  /** An `openai` client with `baseURL` at the host's `/v1` and an API key with send, read and approve. */
  client: OpenAI;
  /** `GET /sessions/{id}` on the same host, with the same credentials. */
  session(sessionId: string): Promise<SessionView>;
}

/** What the conversation produced, for host-specific checks. */
export interface OpenAiTranscript {
  sessionId: string;
  responses: Response[];
  streamedEvents: ResponseStreamEvent[][];
}

/**
 * Holds the multi-turn conversation of issue 18 with the example agent through `/v1/responses`,
 * asserting as it goes: (1) a new conversation, not streamed, with a tool call (add_note) shown as
 * an `mcp_call`; (2) streamed, continuing with `previous_response_id`, a call that needs approval
 * shown as an `mcp_approval_request`; (3) the approval sent as an `mcp_approval_response` item,
 * streamed, the email sent; (4) not streamed, naming the session by `conversation`, a plain answer
 * that saw the whole history; then the session seen through `GET /sessions/{id}` and a response
 * read back with `responses.retrieve`. Works against any host (local server, Lambda, Azure).
 *
 * @example
 *   const transcript = await holdOpenAiConversation({ client, session: (id) => getSession(id) });
 */
export async function holdOpenAiConversation(host: OpenAiHost): Promise<OpenAiTranscript> {
  const { client } = host;
  const first = await client.responses.create({ model: AGENT, input: 'note buy milk' });
  expect(first.status).toBe('completed');
  const sessionId = first.conversation!.id;
  expect(first.output.map((item) => item.type)).toEqual(['message', 'mcp_call', 'message']);
  const note = first.output[1] as OpenAI.Responses.ResponseOutputItem.McpCall;
  expect(note).toMatchObject({ server_label: 'baton', name: 'add_note', status: 'completed' });
  expect(JSON.parse(note.arguments)).toEqual({ text: 'buy milk' });
  expect(JSON.parse(note.output!)).toEqual({ saved: 'buy milk', count: 1 });
  expect(first.output_text).toBe('Writing it down. Done: add_note went through.');
  expect(first.usage!.total_tokens).toBeGreaterThan(0);

  const asking = await streamed(client, { previous_response_id: first.id, input: 'email bob@example.com' });
  const second = asking.final;
  expect(second.conversation!.id).toBe(sessionId);
  const request = second.output.find((item) => item.type === 'mcp_approval_request');
  expect(request).toMatchObject({ server_label: 'baton', name: 'send_email' });
  expect((await host.session(sessionId)).status).toBe('waiting_approval');

  const approving = await streamed(client, {
    previous_response_id: second.id,
    input: [{ type: 'mcp_approval_response', approval_request_id: request!.id, approve: true }],
  });
  const third = approving.final;
  expect(third.output.map((item) => item.type)).toEqual(['mcp_call', 'message']);
  expect(third.output[0]).toMatchObject({ type: 'mcp_call', name: 'send_email', status: 'completed' });
  expect(third.output_text).toBe('Done: send_email went through.');
  // The deltas streamed add up to the text; every event is numbered in order from 0.
  const deltas = approving.events.flatMap((event) =>
    event.type === 'response.output_text.delta' ? [event.delta] : [],
  );
  expect(deltas.join('')).toBe(third.output_text);
  expect(approving.events.map((event) => event.sequence_number)).toEqual(approving.events.map((_, i) => i));

  const fourth = await client.responses.create({ model: AGENT, conversation: sessionId, input: 'thanks' });
  expect(fourth.output_text).toBe('You said: thanks (message 3 of this conversation)');
  expect(fourth.conversation!.id).toBe(sessionId);

  const session = await host.session(sessionId);
  expect(session).toMatchObject({ agent: AGENT, status: 'idle', pendingApprovals: [] });
  expect(session.toolState).toMatchObject({ notes: ['buy milk'], sent: ['bob@example.com: Lunch'] });
  expect(session.lastReply).toBe(fourth.output_text);
  const again = await client.responses.retrieve(third.id);
  // The streamed final response (the SDK adds `parsed` to its text parts) is the one read back.
  expect(third.output).toMatchObject(again.output);
  expect(again.id).toBe(third.id);
  return {
    sessionId,
    responses: [first, second, third, fourth],
    streamedEvents: [asking.events, approving.events],
  };
}

/** One streamed `responses.create`: its events, checked in the order the Responses API sends them, and the final response. */
async function streamed(
  client: OpenAI,
  params: Omit<OpenAI.Responses.ResponseCreateParamsStreaming, 'model' | 'stream'>,
): Promise<{ events: ResponseStreamEvent[]; final: Response }> {
  const stream = client.responses.stream({ model: AGENT, ...params });
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const final = await stream.finalResponse();
  const types = events.map((event) => event.type);
  expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
  expect(types.at(-1)).toBe('response.completed');
  expect(final.status).toBe('completed');
  return { events, final };
}
