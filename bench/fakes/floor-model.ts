import { callId, callsTool, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

/** Chat-completions-shaped messages: what a hand-written loop would keep. */
export type Message =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: { id: string; name: string; arguments: string }[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** The fake model of the floor: the same script as every other framework's. */
export function fakeModel(messages: Message[], turn: number): Message {
  if (messages.at(-1)?.role === 'user' && callsTool(turn)) {
    return {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: callId(turn), name: TOOL_NAME, arguments: TOOL_ARGUMENTS }],
    };
  }
  return { role: 'assistant', content: REPLY_TEXT };
}
