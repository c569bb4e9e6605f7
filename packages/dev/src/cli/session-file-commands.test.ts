import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SessionStore, systemClock } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRunQueue } from '../local-queue.js';
import { memoryIo } from '../test-support/memory-io.js';
import { appendEvents, everyKind, tempDir } from '../test-support/session-fixtures.js';
import { runCli } from './cli.js';
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

beforeEach(() => {
  dir = tempDir();
  source = new SqliteStore({ path: join(dir, 'source.db') });
});

afterEach(async () => {
  await source.close();
});

describe('sessions import (command)', () => {
  async function importFile(content: string, ...flags: string[]) {
    const file = join(dir, 'session.jsonl');
    writeFileSync(file, content);
    const io = memoryIo({ cwd: dir });
    const code = await runCli(['sessions', 'import', file, '--db', 'target.db', ...flags], io);
    return { code, err: io.err(), out: io.out() };
  }

  async function targetEvents(): Promise<number | null> {
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    try {
      return (await target.readHead(ref))?.seq ?? null;
    } finally {
      await target.close();
    }
  }

  it.each([
    ['a line that is not JSON', (lines: string[]) => lines.splice(4, 1, '{"v":2,'), /line 5: not JSON/],
    [
      'an event without a seq',
      (lines: string[]) => lines.splice(3, 1, '{"v":2,"at":1,"kind":"input"}'),
      /line 4: not a valid event: .*seq/,
    ],
    [
      'an unknown event kind',
      (lines: string[]) => lines.splice(6, 1, '{"v":2,"seq":5,"at":1,"kind":"telepathy"}'),
      /line 7: not a valid event: .*kind/,
    ],
    [
      'a newer schema version',
      (lines: string[]) => lines.splice(5, 1, '{"v":99,"seq":4,"at":1,"kind":"input"}'),
      /line 6: not a valid event: cannot read event of schema version 99/,
    ],
    [
      'a gap in the numbering',
      (lines: string[]) => lines.splice(4, 1),
      /line 5: expected event #3, found #4/,
    ],
    ['a truncated file', (lines: string[]) => lines.splice(10), /has 8 events but its header says 14/],
    [
      'a head that does not parse',
      (lines: string[]) => lines.splice(1, 1, '{"v":2,"tenant":"default"}'),
      /line 2: not a valid session head/,
    ],
    [
      'a file that is not an export',
      (lines: string[]) => lines.splice(0, 1, '{"format":"csv"}'),
      /line 1: not a Baton session export/,
    ],
    [
      'a newer export format',
      (lines: string[]) => lines.splice(0, 1, lines[0]!.replace('"version":1', '"version":2')),
      /format version 2 is newer/,
    ],
  ])('refuses %s with its line number and writes nothing', async (_name, damage, message) => {
    await appendEvents(source, ref, everyKind());
    const lines = (await exported(source)).trimEnd().split('\n');
    damage(lines);
    const result = await importFile(`${lines.join('\n')}\n`);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('nothing written');
    expect(await targetEvents()).toBeNull();
  });

  it('refuses to overwrite an existing session unless --replace', async () => {
    await appendEvents(source, ref, everyKind());
    const text = await exported(source);
    expect((await importFile(text)).code).toBe(0);
    const again = await importFile(text);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/exists in the sqlite store; pass --replace/);
    const replaced = await importFile(text, '--replace', '--chunk-size', '3');
    expect(replaced.code).toBe(0);
    expect(replaced.err).toMatch(/imported 14 events of trip into SQLite .* in 5 commit\(s\)/);
    expect(await targetEvents()).toBe(14);
  });

  it('refuses an event larger than the target store takes, by line, before writing', async () => {
    await appendEvents(source, ref, [{ kind: 'input', text: 'x'.repeat(2000), source: 'http' }]);
    const small = new SqliteStore({ path: join(dir, 'small.db'), maxEventBytes: 1000 });
    try {
      await expect(
        importSession(small, await readSessionFile(linesOf(await exported(source)))),
      ).rejects.toThrow(/line 3: event #1 has \d+ bytes; the sqlite store takes at most 1000/);
      expect(await small.readHead(ref)).toBeNull();
    } finally {
      await small.close();
    }
  });

  it('queues a run for baton serve when the session had work pending', async () => {
    await appendEvents(source, ref, [{ kind: 'input', text: 'unanswered', source: 'http' }], {
      head: { status: 'running', lastInputSeq: 1 },
    });
    const result = await importFile(await exported(source));
    expect(result.err).toContain('its pending run is queued for `baton serve`');
    const queue = new SqliteRunQueue(join(dir, 'target.db'), systemClock);
    try {
      expect(queue.depth().pending).toBe(1);
    } finally {
      queue.close();
    }
  });

  it('reads an export from stdin and imports it under another tenant', async () => {
    await appendEvents(source, ref, everyKind());
    const io = memoryIo({ cwd: dir, stdin: await exported(source) });
    expect(await runCli(['sessions', 'import', '-', '--db', 'target.db', '--tenant', 'acme'], io)).toBe(0);
    const target = new SqliteStore({ path: join(dir, 'target.db') });
    try {
      expect((await target.readHead({ tenant: 'acme', sessionId: 'trip' }))?.tenant).toBe('acme');
    } finally {
      await target.close();
    }
  });
});

describe('sessions export (command)', () => {
  it('writes the file given with --out and says how many events, without a bar off a terminal', async () => {
    await appendEvents(source, ref, everyKind());
    const io = memoryIo({ cwd: dir });
    expect(await runCli(['sessions', 'export', 'trip', '--db', 'source.db', '--out', 'trip.jsonl'], io)).toBe(
      0,
    );
    expect(io.err()).toBe(`exported 14 events of trip from SQLite ${join(dir, 'source.db')}\n`);
    expect(readFileSync(join(dir, 'trip.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(16);
  });

  it('draws a progress bar on a terminal', async () => {
    await appendEvents(source, ref, everyKind());
    const io = memoryIo({ cwd: dir, tty: true });
    expect(await runCli(['sessions', 'export', 'trip', '--db', 'source.db', '--page-size', '5'], io)).toBe(0);
    expect(io.err()).toContain('exporting [');
    expect(io.err()).toContain('100% 14/14');
    expect(io.out().split('\n')).toHaveLength(17);
  });

  it('fails for a session that does not exist and leaves no file', async () => {
    await appendEvents(source, ref, everyKind());
    const io = memoryIo({ cwd: dir });
    expect(await runCli(['sessions', 'export', 'nope', '--db', 'source.db', '-o', 'nope.jsonl'], io)).toBe(1);
    expect(io.err()).toContain('no session nope');
    expect(() => readFileSync(join(dir, 'nope.jsonl'))).toThrow();
  });
});
