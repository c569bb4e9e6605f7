/**
 * A separate process for the multi-process test: opens the store file itself and commits `count`
 * inputs to one session, each on top of the head it just read, retrying when another process won.
 * Usage: node --import tsx test-writer-process.ts <file> <tenant> <sessionId> <writer> <count>
 */
import { ConflictError, SCHEMA_VERSION, type SessionEvent, ThrottledError } from '@baton/core';
import { newHead } from '@baton/core/store';
import { SqliteStore } from './sqlite-store.js';

const [path, tenant, sessionId, writer, count] = process.argv.slice(2);
if (!path || !tenant || !sessionId || !writer || !count)
  throw new Error('usage: <file> <tenant> <sessionId> <writer> <count>');
const ref = { tenant, sessionId };
const store = new SqliteStore({ path, busyTimeoutMs: 10_000 });
let retries = 0;

for (let index = 0; index < Number(count); index++) {
  for (;;) {
    const now = Date.now();
    const head = (await store.readHead(ref)) ?? newHead(tenant, sessionId, 'writer', now);
    const event: SessionEvent = {
      kind: 'input',
      text: `${writer}:${index}`,
      source: 'process',
      v: SCHEMA_VERSION,
      seq: head.seq + 1,
      at: now,
    };
    const next = {
      ...head,
      version: head.version + 1,
      seq: event.seq,
      lastInputSeq: event.seq,
      updatedAt: now,
    };
    const expectedVersion = head.version === 0 ? null : head.version;
    try {
      await store.commit({ ref, expectedVersion, head: next, events: [event] });
      break;
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ThrottledError)) throw error;
      retries++;
    }
  }
}
await store.close();
process.stdout.write(JSON.stringify({ writer, retries }));
