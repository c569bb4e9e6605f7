import { join } from 'node:path';
import { Agent, type Model, Runner, setTracingDisabled, tool } from '@openai/agents';
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
import { ScriptedAgentsModel } from '../fakes/agents-model.js';
import type { BenchTarget, Harness, Location, TurnSample } from '../harness.js';
import { meteredDatabase } from '../sqlite-meter.js';
import { SqliteSession } from './sqlite-session.js';

/**
 * The OpenAI Agents SDK: an Agent with one function tool run by a Runner, its history in a
 * Session that appends items (SqliteSession). Tracing is off: its default exporter would post
 * spans to OpenAI.
 */
export const openAIAgentsTarget: BenchTarget = {
  id: 'openai-agents',
  peer: true,
  label: 'OpenAI Agents 0.14, SQLite Session',
  async open(location: Location): Promise<Harness> {
    setTracingDisabled(true);
    const { db, meter } = meteredDatabase(join(location.dir, 'openai-agents.db'));
    const session = new SqliteSession(db, location.sessionId);
    const scripted = new ScriptedAgentsModel();
    const clock = new ModelClock();
    const model: Model = {
      getResponse: (request) => clock.time(() => scripted.getResponse(request)),
      getStreamedResponse: () => scripted.getStreamedResponse(),
    };
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
    return {
      async turn(turn: number): Promise<TurnSample> {
        scripted.turn = turn;
        scripted.first = true;
        const before = { ...meter, ...session.calls };
        const start = performance.now();
        const result = await runner.run(agent, USER_TEXT, { session });
        if (result.finalOutput !== REPLY_TEXT)
          throw new Error(`unexpected reply: ${String(result.finalOutput)}`);
        const frameworkMs = performance.now() - start - clock.take();
        return {
          turn,
          bytes: meter.bytes - before.bytes,
          writes: session.calls.writes - before.writes,
          reads: session.calls.reads - before.reads,
          frameworkMs,
          userMessagesSeen: scripted.userMessagesSeen,
        };
      },
      async close() {
        db.close();
      },
    };
  },
};
