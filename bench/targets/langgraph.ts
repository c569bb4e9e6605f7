import { join } from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { z } from 'zod';
import {
  INSTRUCTIONS,
  ModelClock,
  REPLY_TEXT,
  TOOL_DESCRIPTION,
  TOOL_NAME,
  TOOL_RESULT,
  USER_TEXT,
} from '../conversation.js';
import { ScriptedChatModel } from '../fakes/chat-model.js';
import type { BenchTarget, Harness, Location, TurnSample } from '../harness.js';
import { meteredDatabase } from '../sqlite-meter.js';

/**
 * LangGraph JS: `createReactAgent` with one tool and its SQLite checkpointer (SqliteSaver), one
 * thread per conversation. Each turn invokes the graph with the new message; the checkpointer
 * saves a checkpoint after every super-step.
 */
export const langGraphTarget: BenchTarget = {
  id: 'langgraph',
  peer: true,
  label: 'LangGraph 1.7, SqliteSaver',
  // Every checkpoint holds the whole message list: by turn 200 a turn writes about 2 MiB, and the
  // full 1000 turns would write gigabytes. The report marks the turns it did not reach.
  maxTurns: 200,
  async open(location: Location): Promise<Harness> {
    const { db, meter } = meteredDatabase(join(location.dir, 'langgraph.db'));
    const saver = new SqliteSaver(db);
    const calls = { reads: 0, writes: 0 };
    // Count at the checkpointer's interface: each call is one request to a remote checkpointer.
    for (const name of ['put', 'putWrites'] as const) {
      const original = saver[name].bind(saver) as (...args: unknown[]) => Promise<unknown>;
      (saver as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls.writes++;
        return original(...args);
      };
    }
    const getTuple = saver.getTuple.bind(saver);
    saver.getTuple = (config) => {
      calls.reads++;
      return getTuple(config);
    };
    const clock = new ModelClock();
    const llm = new ScriptedChatModel(clock);
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
      checkpointSaver: saver,
    });
    const config = { configurable: { thread_id: location.sessionId } };
    return {
      async turn(turn: number): Promise<TurnSample> {
        llm.turn = turn;
        llm.first = true;
        const before = { ...meter, ...calls };
        const start = performance.now();
        const result = await agent.invoke({ messages: [new HumanMessage(USER_TEXT)] }, config);
        if (result.messages.at(-1)?.content !== REPLY_TEXT) throw new Error('unexpected reply');
        const frameworkMs = performance.now() - start - clock.take();
        return {
          turn,
          bytes: meter.bytes - before.bytes,
          writes: calls.writes - before.writes,
          reads: calls.reads - before.reads,
          frameworkMs,
          userMessagesSeen: llm.userMessagesSeen,
        };
      },
      async close() {
        db.close();
      },
    };
  },
};
