import { generateText, type ModelMessage, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';
import { scriptedModel } from '../../fakes/ai-sdk-model.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/** The AI SDK's minimal handler: generateText with one tool, history in memory. */
const chats = new Map<string, ModelMessage[]>();
const model = scriptedModel(
  () => 2,
  () => {},
);
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
    model,
    system: INSTRUCTIONS,
    messages,
    tools,
    stopWhen: stepCountIs(5),
  });
  chats.set(sessionId, [...messages, ...result.response.messages]);
  return reply(result.text);
}
