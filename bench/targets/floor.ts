import { join } from 'node:path';
import { ModelClock, TOOL_RESULT, USER_TEXT } from '../conversation.js';
import { fakeModel, type Message } from '../fakes/floor-model.js';
import type { BenchTarget, Harness, Location, TurnSample } from '../harness.js';
import { meteredDatabase } from '../sqlite-meter.js';

/**
 * The no-framework floor: a hand-written loop that loads the history from a SQLite table and
 * appends each message as one JSON row the moment it exists (so, like Baton, a crash loses at most
 * the step in flight). No lease, no dedupe, no head: the least any durable agent loop must write.
 */
export const floorTarget: BenchTarget = {
  id: 'floor',
  label: 'No framework, SQLite rows',
  async open(location: Location): Promise<Harness> {
    const { db, meter } = meteredDatabase(join(location.dir, 'floor.db'));
    db.exec(
      'CREATE TABLE IF NOT EXISTS messages (session TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (session, seq))',
    );
    const select = db.prepare('SELECT json FROM messages WHERE session = ? ORDER BY seq');
    const insert = db.prepare('INSERT INTO messages (session, seq, json) VALUES (?, ?, ?)');
    const clock = new ModelClock();
    return {
      async turn(turn: number): Promise<TurnSample> {
        const before = { ...meter };
        const start = performance.now();
        const messages = (select.all(location.sessionId) as { json: string }[]).map(
          (row) => JSON.parse(row.json) as Message,
        );
        let appends = 0;
        const append = (message: Message) => {
          messages.push(message);
          insert.run(location.sessionId, messages.length, JSON.stringify(message));
          appends++;
        };
        append({ role: 'user', content: USER_TEXT });
        const userMessagesSeen = messages.filter((message) => message.role === 'user').length;
        for (;;) {
          const answer = await clock.time(() => fakeModel(messages, turn));
          append(answer);
          const calls = answer.role === 'assistant' ? (answer.tool_calls ?? []) : [];
          if (calls.length === 0) break;
          for (const call of calls) append({ role: 'tool', tool_call_id: call.id, content: TOOL_RESULT });
        }
        const frameworkMs = performance.now() - start - clock.take();
        return {
          turn,
          bytes: meter.bytes - before.bytes,
          writes: appends,
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
