import { TOOL_RESULT } from '../../conversation.js';
import { fakeModel, type Message } from '../../fakes/floor-model.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/** The no-framework floor: a hand-written tool loop, history in memory. */
const sessions = new Map<string, Message[]>();

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const { sessionId, text } = messageOf(event);
  const messages = sessions.get(sessionId) ?? [];
  messages.push({ role: 'user', content: text });
  for (;;) {
    // Turn 2 of the script: one tool call, then the reply.
    const answer = fakeModel(messages, 2);
    messages.push(answer);
    const calls = answer.role === 'assistant' ? (answer.tool_calls ?? []) : [];
    if (calls.length === 0) break;
    for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: TOOL_RESULT });
  }
  sessions.set(sessionId, messages);
  return reply(String(messages.at(-1)?.content ?? ''));
}
