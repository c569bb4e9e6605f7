import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type ModelMessage, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/**
 * The AI SDK's minimal handler on its OpenAI provider (Responses API), answered by the same local
 * OpenAI wire fake as Baton's minimal app: the model side like for like (a provider package, two
 * HTTP calls), the history still in memory.
 */
const chats = new Map<string, ModelMessage[]>();
const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL });
const tools = {
  [TOOL_NAME]: tool({
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ region: z.string() }),
    execute: async () => TOOL_RESULT,
  }),
};

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const { sessionId, text } = messageOf(event);
  const input: ModelMessage = { role: 'user', content: text };
  const messages = [...(chats.get(sessionId) ?? []), input];
  const result = await generateText({
    model: openai('gpt-5-mini'),
    system: INSTRUCTIONS,
    messages,
    tools,
    stopWhen: stepCountIs(5),
  });
  chats.set(sessionId, [...messages, ...result.response.messages]);
  return reply(result.text);
}
