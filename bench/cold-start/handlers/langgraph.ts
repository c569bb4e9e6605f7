import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { MemorySaver } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';
import { ScriptedChatModel } from '../../fakes/chat-model.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/** LangGraph's minimal handler: createReactAgent with one tool and the in-memory checkpointer. */
const llm = new ScriptedChatModel();
llm.turn = 2;
const agent = createReactAgent({
  llm,
  tools: [
    tool(async () => TOOL_RESULT, {
      name: TOOL_NAME,
      description: TOOL_DESCRIPTION,
      schema: z.object({ region: z.string() }),
    }),
  ],
  prompt: INSTRUCTIONS,
  checkpointSaver: new MemorySaver(),
});

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const { sessionId, text } = messageOf(event);
  llm.first = true;
  const result = await agent.invoke(
    { messages: [new HumanMessage(text)] },
    { configurable: { thread_id: sessionId } },
  );
  return reply(String(result.messages.at(-1)?.content ?? ''));
}
