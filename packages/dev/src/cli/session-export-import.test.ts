import { join } from 'node:path';
import { type CommitRequest, EventTooLargeError, type SessionStore } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyIdentity } from '../test-support/identities.js';
import {
  appendEvents,
  demoBaton,
  everyKind,
  resume,
  say,
  tempDir,
} from '../test-support/session-fixtures.js';
import { importSession } from './import-writer.js';
import { exportSession, readSessionFile } from './session-file.js';

let dir: string;
let source: SqliteStore;
const ref = { tenant: 'default', sessionId: 'trip' };

async function* linesOf(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}

async function exported(store: SessionStore, sessionRef = ref): Promise<string> {
  let text = '';
  await exportSession(
    store,
    sessionRef,
    (line) => {
      text += line;
    },
    { source: 'sqlite', pageSize: 4 },
  );
  return text;
}

/** A real conversation on the example agent: tool state, an at-most-once ticket, an approval. */
async function conversation(store: SessionStore): Promise<void> {
  const { baton } = demoBaton(store);
  await say(baton, ref, 'note buy milk');
  await say(baton, ref, 'ticket Printer jam');
  await say(baton, ref, 'email bob@example.com Hello');
  const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
  await baton.decide(ref, { callId, approved: true, identity: keyIdentity(ref.tenant, ['approve']) });
  await resume(baton, ref);
}

beforeEach(() => {
  dir = tempDir();
  source = new SqliteStore({ path: join(dir, 'source.db') });
});

afterEach(async () => {
  await source.close();
});

describe('session export and import', () => {
  it('round-trips a session into a fresh SQLite file with identical events and head', async () => {
    await conversation(source);
    const text = await exported(source);
    const lines = text.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      format: 'baton-session',
      version: 1,
      tenant: 'default',
      sessionId: 'trip',
    });
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    try {
      const result = await importSession(target, await readSessionFile(linesOf(text)), { chunkEvents: 4 });
      const sourceHead = (await source.readHead(ref))!;
      expect(result.commits).toBe(Math.ceil(sourceHead.seq / 4));
      expect(await target.readEvents(ref)).toEqual(await source.readEvents(ref));
      const { version: _v1, ...sourceFields } = sourceHead;
      const { version: _v2, ...targetFields } = (await target.readHead(ref))!;
      expect(targetFields).toEqual(sourceFields);
      // And the copy exports the same events again.
      expect((await exported(target)).split('\n').slice(2)).toEqual(text.split('\n').slice(2));
    } finally {
      await target.close();
    }
  });

  it('continues the imported session where it left off, tool state included', async () => {
    await conversation(source);
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    try {
      await importSession(target, await readSessionFile(linesOf(await exported(source))));
      const { baton } = demoBaton(target);
      await say(baton, ref, 'notes');
      const session = await baton.session(ref);
      expect(session.lastReply).toContain('buy milk');
      expect(session.toolState).toMatchObject({ tickets: ['Printer jam'], sent: ['bob@example.com: Hello'] });
      expect(session.seq).toBeGreaterThan((await source.readHead(ref))!.seq);
    } finally {
      await target.close();
    }
  });

  it('clears a lease held in the source and keeps the import leased until its last commit', async () => {
    await appendEvents(source, ref, everyKind(), {
      head: { lease: { owner: 'lambda-1', expiresAt: Date.now() + 60_000, epoch: 3 }, leaseEpoch: 3 },
    });
    const commits: CommitRequest[] = [];
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    const recording = Object.assign(Object.create(target) as SessionStore, {
      commit: (request: CommitRequest) => {
        commits.push(request);
        return target.commit(request);
      },
    });
    try {
      await importSession(recording, await readSessionFile(linesOf(await exported(source))), {
        chunkEvents: 5,
      });
      expect(commits.map((commit) => commit.head.lease?.owner ?? null)).toEqual([
        'baton-import',
        'baton-import',
        null,
      ]);
      expect(commits.map((commit) => commit.expectedVersion)).toEqual([null, 1, 2]);
      expect((await target.readHead(ref))!.lease).toBeNull();
    } finally {
      await target.close();
    }
  });

  it('halves a chunk the store finds too large and writes it in smaller commits', async () => {
    await appendEvents(source, ref, everyKind());
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    const sizes: number[] = [];
    // A store with a transaction limit of 4 events, like DynamoDB's 100 actions in small.
    const limited = Object.assign(Object.create(target) as SessionStore, {
      commit: (request: CommitRequest) => {
        if (request.events.length > 4)
          return Promise.reject(new EventTooLargeError(request.events.length, 4));
        sizes.push(request.events.length);
        return target.commit(request);
      },
    });
    try {
      await importSession(limited, await readSessionFile(linesOf(await exported(source))), {
        chunkEvents: 10,
      });
      expect(sizes).toEqual([3, 3, 3, 3, 2]);
      expect(await target.readEvents(ref)).toEqual(await source.readEvents(ref));
    } finally {
      await target.close();
    }
  });
});
