import { Agent, MemorySession, Runner, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';
import { ScriptedAgentsModel } from '../../fakes/agents-model.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/** The OpenAI Agents SDK's minimal handler: an Agent with one tool, a MemorySession per session. */
setTracingDisabled(true);
const model = new ScriptedAgentsModel();
model.turn = 2;
const agent = new Agent({
  name: 'bench',
  instructions: INSTRUCTIONS,
  model,
  tools: [
    tool({
      name: TOOL_NAME,
      description: TOOL_DESCRIPTION,
      parameters: z.object({ region: z.string() }),
      execute: async () => TOOL_RESULT,
    }),
  ],
});
const runner = new Runner({ tracingDisabled: true });
const sessions = new Map<string, MemorySession>();

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const { sessionId, text } = messageOf(event);
  const session = sessions.get(sessionId) ?? new MemorySession({ sessionId });
  sessions.set(sessionId, session);
  const result = await runner.run(agent, text, { session });
  return reply(String(result.finalOutput ?? ''));
}
