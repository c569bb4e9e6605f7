import { generateText, type ModelMessage, stepCountIs } from 'ai';
import { INSTRUCTIONS } from '../../conversation.js';
import { scriptedModel } from '../../fakes/ai-sdk-model.js';
import { tools } from './ai-sdk-tools.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/** The AI SDK's minimal handler: generateText with one tool, history in memory. */
const chats = new Map<string, ModelMessage[]>();
const model = scriptedModel(
  () => 2,
  () => {},
);

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
