import { join } from 'node:path';
import { generateText, type ModelMessage, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import {
  INSTRUCTIONS,
  ModelClock,
  TOOL_DESCRIPTION,
  TOOL_NAME,
  TOOL_RESULT,
  USER_TEXT,
} from '../conversation.js';
import { scriptedModel } from '../fakes/ai-sdk-model.js';
import type { BenchTarget, Harness, Location, TurnSample } from '../harness.js';
import { meteredDatabase } from '../sqlite-meter.js';

/**
 * The Vercel AI SDK: `generateText` with one tool, the history kept as one SQLite row per
 * ModelMessage; each turn loads the chat, runs, and appends the user message and
 * `response.messages` in one transaction (the AI SDK leaves persistence to the application).
 */
export const aiSdkTarget: BenchTarget = {
  id: 'ai-sdk',
  peer: true,
  label: 'AI SDK 6, messages in SQLite',
  async open(location: Location): Promise<Harness> {
    const { db, meter } = meteredDatabase(join(location.dir, 'ai-sdk.db'));
    db.exec(
      'CREATE TABLE IF NOT EXISTS messages (chat TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (chat, seq))',
    );
    const select = db.prepare('SELECT json FROM messages WHERE chat = ? ORDER BY seq');
    const insert = db.prepare('INSERT INTO messages (chat, seq, json) VALUES (?, ?, ?)');
    const append = db.transaction((from: number, messages: ModelMessage[]) => {
      messages.forEach((message, index) => {
        insert.run(location.sessionId, from + index + 1, JSON.stringify(message));
      });
    });
    let current = 0;
    let userMessagesSeen = 0;
    const clock = new ModelClock();
    const mock = scriptedModel(
      () => current,
      (count) => {
        userMessagesSeen = count;
      },
    );
    const generate = mock.doGenerate.bind(mock);
    mock.doGenerate = (options) => clock.time(() => generate(options));
    const tools = {
      [TOOL_NAME]: tool({
        description: TOOL_DESCRIPTION,
        inputSchema: z.object({ region: z.string() }),
        execute: async () => TOOL_RESULT,
      }),
    };
    return {
      async turn(turn: number): Promise<TurnSample> {
        current = turn;
        mock.resetTurn();
        const before = { ...meter };
        const start = performance.now();
        const history = (select.all(location.sessionId) as { json: string }[]).map(
          (row) => JSON.parse(row.json) as ModelMessage,
        );
        const input: ModelMessage = { role: 'user', content: USER_TEXT };
        const result = await generateText({
          model: mock,
          system: INSTRUCTIONS,
          messages: [...history, input],
          tools,
          stopWhen: stepCountIs(5),
          maxRetries: 0,
        });
        append(history.length, [input, ...result.response.messages]);
        const frameworkMs = performance.now() - start - clock.take();
        return {
          turn,
          bytes: meter.bytes - before.bytes,
          writes: 1,
          reads: meter.reads - before.reads,
          frameworkMs,
          userMessagesSeen,
        };
      },
      async close() {
        db.close();
      },
    };
  },
};
