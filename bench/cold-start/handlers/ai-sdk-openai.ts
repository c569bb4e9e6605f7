import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type ModelMessage, stepCountIs } from 'ai';
import { INSTRUCTIONS } from '../../conversation.js';
import { tools } from './ai-sdk-tools.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/**
 * The AI SDK's minimal handler on its OpenAI provider (Responses API), answered by the same local
 * OpenAI wire fake as Baton's minimal app: the model side like for like (a provider package, two
 * HTTP calls), the history still in memory.
 */
const chats = new Map<string, ModelMessage[]>();
const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL });

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
