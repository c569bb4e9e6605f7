import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createBaton,
  defineAgent,
  defineBaton,
  type RunQueue,
  type SessionStore,
  sessionRef,
  silentLogger,
  systemClock,
} from '@baton/core';
import { loadConfig, startLocalApp } from '@baton/dev';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { SqliteStore } from '@baton/store-sqlite';
import { countingStore, reply, StreamingScriptedModel } from '@baton/testing';
import { bytes, ms, table } from '../format.js';
import type { Endpoints } from '../harness.js';
import { median, quantile } from '../stats.js';

/** A 120-word answer, streamed one word per delta. */
const ANSWER = Array.from(
  { length: 120 },
  (_, index) => ['Streaming', 'answers', 'arrive', 'word', 'by', 'word,'][index % 6],
).join(' ');
/** Pace of the scripted model: 50 deltas a second, about what a hosted model streams. */
const DELTA_MS = 20;

export interface FirstDeltaResult {
  runs: number;
  /** POST to the first text-delta chunk on the client, ms. */
  firstDeltaMs: number[];
  /** POST to `[DONE]`, ms. */
  doneMs: number[];
}

export interface StreamWriteRow {
  store: string;
  mode: Mode;
  turns: number;
  /** Per turn, means: commits and the records and bytes they write. */
  commits: number;
  records: number;
  bytes: number;
  /** Per turn, means: live record writes (not commits) and the snapshot bytes they carry. */
  liveWrites: number;
  liveBytes: number;
  /** Per turn, mean: reads of the session's watch by the runner (is anyone following?). */
  watchReads: number;
}

/** Streamed turns are counted with no one watching (no live record written) and with a watcher. */
type Mode = 'unstreamed' | 'streamed, unwatched' | 'streamed, watched';

export interface StreamingResult {
  firstDelta: FirstDeltaResult;
  writes: StreamWriteRow[];
}

/**
 * Issue 17's streaming figures: time to first delta through the real local server and its SSE
 * route (`POST /sessions/{id}/messages` with `Accept: text/event-stream`, a scripted model whose
 * first word comes DELTA_MS after the call, so the rest is Baton's own latency), and what a streamed turn costs the store next to
 * the same turn unstreamed (commits and live-record writes counted apart by countingStore), on SQLite
 * and, when it runs, DynamoDB Local.
 *
 * @example
 * const result = await runStreamingBench({ runs: 20, turns: 5 }, endpoints, log);
 */
export async function runStreamingBench(
  options: { runs: number; turns: number },
  endpoints: Endpoints,
  log: (line: string) => void,
): Promise<StreamingResult> {
  log(`bench: streaming, time to first delta over ${options.runs} POSTs...`);
  const firstDelta = await timeToFirstDelta(options.runs);
  const writes: StreamWriteRow[] = [];
  const stores: { label: string; open: () => Promise<{ store: SessionStore; close(): Promise<void> }> }[] = [
    { label: 'SQLite', open: openSqlite },
  ];
  if (endpoints.dynamodb)
    stores.push({ label: 'DynamoDB Local', open: () => openDynamo(endpoints.dynamodb!) });
  for (const { label, open } of stores) {
    for (const mode of ['unstreamed', 'streamed, unwatched', 'streamed, watched'] as const) {
      log(`bench: streaming, ${options.turns} ${mode} turns on ${label}...`);
      const opened = await open();
      try {
        writes.push({ store: label, ...(await storeCost(opened.store, mode, options.turns)) });
      } finally {
        await opened.close();
      }
    }
  }
  return { firstDelta, writes };
}

async function timeToFirstDelta(runs: number): Promise<FirstDeltaResult> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-stream-'));
  const model = new StreamingScriptedModel(() => reply(ANSWER), { pace: () => delay(DELTA_MS) });
  const app = await startLocalApp(
    defineBaton({ agents: [defineAgent({ name: 'bench', instructions: 'Answer.', model })] }),
    loadConfig({ BATON_DATA_DIR: dir, PORT: '0' }, dir),
    { logger: silentLogger, env: {} },
  );
  const result: FirstDeltaResult = { runs, firstDeltaMs: [], doneMs: [] };
  try {
    // Two turns first: the session exists and the server's code paths are warm.
    for (let run = -2; run < runs; run++) {
      const timing = await streamedPost(app.url, `question ${run}`);
      if (run < 0) continue;
      result.firstDeltaMs.push(timing.firstDeltaMs);
      result.doneMs.push(timing.doneMs);
    }
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

async function streamedPost(url: string, text: string): Promise<{ firstDeltaMs: number; doneMs: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/sessions/ttfd/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ text }),
  });
  if (!response.ok || !response.body) throw new Error(`the streamed POST answered ${response.status}`);
  const decoder = new TextDecoder();
  let seen = '';
  let firstDeltaMs = Number.NaN;
  for await (const chunk of response.body) {
    seen += decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstDeltaMs) && seen.includes('"type":"text-delta"'))
      firstDeltaMs = performance.now() - started;
    if (seen.includes('data: [DONE]')) break;
  }
  if (Number.isNaN(firstDeltaMs)) throw new Error('the stream ended without a text delta');
  return { firstDeltaMs, doneMs: performance.now() - started };
}

async function storeCost(
  store: SessionStore,
  mode: Mode,
  turns: number,
): Promise<Omit<StreamWriteRow, 'store'>> {
  const counted = countingStore(store);
  const model = new StreamingScriptedModel(() => reply(ANSWER), { pace: () => delay(DELTA_MS) });
  const queue: RunQueue = { enqueue: async () => {} };
  const baton = createBaton({
    store: counted.store,
    agents: [
      defineAgent({
        name: 'bench',
        instructions: 'Answer.',
        // Unstreamed, the same model answers through generate(): no delays, no live record.
        model,
        policies: { stream: mode !== 'unstreamed' },
      }),
    ],
    queue,
    clock: systemClock,
    logger: silentLogger,
  });
  const ref = sessionRef('bench', `stream-${randomUUID()}`);
  const totals = { commits: 0, records: 0, bytes: 0, liveWrites: 0, liveBytes: 0, watchReads: 0 };
  // Turn 0 creates the session and is not counted.
  for (let turn = 0; turn <= turns; turn++) {
    // A follower's watch (what a watching client renews every 5 s) is its cost, not the turn's.
    if (mode === 'streamed, watched') await store.live?.watch?.(ref, Date.now() + 60_000);
    counted.reset();
    const { outcome } = await baton.submitAndRun(
      ref,
      { text: `question ${turn}`, source: 'bench' },
      { deadline: Date.now() + 15 * 60_000 },
    );
    if (outcome?.kind !== 'finished') throw new Error(`the turn ended ${outcome?.kind ?? 'as a duplicate'}`);
    const counts = counted.reset();
    if (turn === 0) continue;
    totals.commits += counts.writes;
    totals.records += counts.records;
    totals.bytes += counts.bytes;
    totals.liveWrites += counts.liveWrites;
    totals.liveBytes += counts.liveBytes;
    totals.watchReads += counts.watchReads;
  }
  return {
    mode,
    turns,
    commits: totals.commits / turns,
    records: totals.records / turns,
    bytes: totals.bytes / turns,
    liveWrites: totals.liveWrites / turns,
    liveBytes: totals.liveBytes / turns,
    watchReads: totals.watchReads / turns,
  };
}

async function openSqlite(): Promise<{ store: SessionStore; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-stream-sqlite-'));
  const store = new SqliteStore({ path: join(dir, 'sessions.db') });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openDynamo(endpoint: string): Promise<{ store: SessionStore; close(): Promise<void> }> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const tableName = `baton-stream-${randomUUID()}`;
  await createTable(client, tableName, { timeToLive: false });
  const store = new DynamoStore({ client, tableName });
  return {
    store,
    async close() {
      await store.close();
      client.destroy();
    },
  };
}

/**
 * The streaming section of the report.
 *
 * @example
 * const lines = streamingReport(result);
 */
export function streamingReport(result: StreamingResult): string[] {
  const { firstDelta } = result;
  const fixed = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return [
    '## Streaming (issue 17)',
    '',
    `Time to first delta on the local server (SQLite), \`POST /sessions/{id}/messages\` with \`Accept: text/event-stream\` to the first \`text-delta\` chunk read by the client, a scripted model streaming ${ANSWER.split(' ').length} words, one every ${DELTA_MS} ms (the first too): median ${ms(median(firstDelta.firstDeltaMs))} ms, p90 ${ms(quantile(firstDelta.firstDeltaMs, 0.9))} ms over ${firstDelta.runs} turns (to \`[DONE]\`: median ${ms(median(firstDelta.doneMs))} ms).`,
    '',
    `Store cost per turn of the same one-step answer, streamed (one word every ${DELTA_MS} ms; the live record written only while a client watches, then at most every 250 ms) and not, counted at the store interface (live writes and bytes apart from commits):`,
    '',
    ...table(
      ['Store', 'Mode', 'Turns', 'Commits', 'Records', 'Bytes', 'Live writes', 'Live bytes', 'Watch reads'],
      result.writes.map((row) => [
        row.store,
        row.mode,
        String(row.turns),
        fixed(row.commits),
        fixed(row.records),
        bytes(row.bytes),
        fixed(row.liveWrites),
        bytes(row.liveBytes),
        fixed(row.watchReads),
      ]),
    ),
  ];
}
