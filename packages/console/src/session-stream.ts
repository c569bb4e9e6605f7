import {
  type Head,
  LIVE_WATCH_MS,
  LIVE_WATCH_REFRESH_MS,
  type Logger,
  type PriceTable,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import type { ConsolePaths } from './layout.js';
import { readLog } from './read-log.js';
import { SessionDigest } from './session-digest.js';
import { approvalsSection, conversationItems, summarySection, timelineItems } from './session-page.js';

export interface StreamOptions {
  /** How often the head is read to look for new events: one point read per interval. */
  pollMs: number;
  /** The stream ends after this long; EventSource reconnects with Last-Event-ID. 0: answer once and end. */
  maxMs: number;
  /** A comment line after this long without data, so proxies keep the connection open. */
  heartbeatMs: number;
  prices: PriceTable;
  pageSize: number;
  signal: AbortSignal;
  logger?: Logger | undefined;
  /** How long EventSource waits before reconnecting after a stream ends. Default RETRY_MS. */
  retryMs?: number;
}

/** How long EventSource waits by default before reconnecting after a stream ends. */
const RETRY_MS = 1_000;

/**
 * Server-Sent Events for one session: an `update` after every batch of new events, carrying the
 * server-rendered (escaped) timeline and conversation entries, the summary and the approvals panel.
 * Between updates it reads only the head, which every store answers with one point read; the log
 * is read only when the head's seq moved. `id:` is the last seq sent, so a reconnect resumes there.
 * While a lease is held it also reads the store's live record and sends a `live` message (no id)
 * with the text the model is writing, which the page shows until the answer is committed.
 */
export async function* sessionStream(
  store: SessionStore,
  ref: SessionRef,
  afterSeq: number,
  paths: ConsolePaths,
  options: StreamOptions,
): AsyncGenerator<string> {
  yield `retry: ${options.retryMs ?? RETRY_MS}\n\n`;
  try {
    let head = await store.readHead(ref);
    if (!head) {
      yield message('gone', undefined, {});
      return;
    }
    // The whole log feeds the digest (cost, call arguments, approvals); only what the page has not
    // shown yet is sent.
    const digest = new SessionDigest(options.prices);
    const unseen: SessionEvent[] = [];
    for await (const events of readLog(store, ref, { throughSeq: head.seq, pageSize: options.pageSize })) {
      digest.add(events);
      for (const event of events) if (event.seq > afterSeq) unseen.push(event);
    }
    yield update(paths, head, digest, unseen);
    // The in-flight answer the page shows as a draft, for the head seq it follows.
    let draft = { seq: head.seq, text: '' };
    const watcher = new LiveWatcher(store, options.logger);
    await watcher.renew(head);
    const drafted = await liveDraft(store, head, options.logger);
    if (drafted) {
      draft = drafted;
      yield message('live', undefined, draft);
    }
    const started = Date.now();
    let quietSince = started;
    while (!options.signal.aborted && Date.now() - started < options.maxMs) {
      await pause(options.pollMs, options.signal);
      if (options.signal.aborted) break;
      const next = await store.readHead(ref);
      if (!next || next.createdAt !== head.createdAt) {
        // Deleted, or deleted and created again: the page shows a log that no longer exists.
        yield message('gone', undefined, {});
        return;
      }
      if (next.seq > digest.lastSeq) {
        const events: SessionEvent[] = [];
        for await (const page of readLog(store, ref, {
          afterSeq: digest.lastSeq,
          throughSeq: next.seq,
          pageSize: options.pageSize,
        })) {
          digest.add(page);
          events.push(...page);
        }
        head = next;
        yield update(paths, head, digest, events);
        quietSince = Date.now();
      } else if (next.version !== head.version) {
        // A lease taken or released changes the status without new events.
        const changed = next.status !== head.status;
        head = next;
        if (changed) {
          yield update(paths, head, digest, []);
          quietSince = Date.now();
        }
      }
      // After the update: the page drops its draft when a commit arrives, then shows the next call's.
      await watcher.renew(next);
      const live = await liveDraft(store, next, options.logger);
      if (live && (live.seq !== draft.seq || live.text !== draft.text)) {
        draft = live;
        yield message('live', undefined, draft);
        quietSince = Date.now();
      }
      if (Date.now() - quietSince >= options.heartbeatMs) {
        yield ': keep-alive\n\n';
        quietSince = Date.now();
      }
    }
  } catch (error) {
    // The client reconnects after RETRY_MS and the stream starts over from its last seq.
    options.logger?.warn('console stream stopped on an error', { session: ref.sessionId, error });
  }
}

/**
 * The text of the model call the lease holder is making, from the store's live record, when it
 * follows this head: one more point read per poll, and only while a lease is held. A snapshot
 * from an earlier call (its step committed since) or another run is not shown; a failed read
 * only means no draft this time.
 */
async function liveDraft(
  store: SessionStore,
  head: Head,
  logger: Logger | undefined,
): Promise<{ seq: number; text: string } | null> {
  if (!store.live || !head.lease) return null;
  try {
    const snapshot = await store.live.read({ tenant: head.tenant, sessionId: head.sessionId });
    if (!snapshot || snapshot.afterSeq !== head.seq || snapshot.runId !== head.lease.owner) return null;
    return snapshot.text === '' ? null : { seq: head.seq, text: snapshot.text };
  } catch (error) {
    logger?.warn('console could not read the live record', { session: head.sessionId, error });
    return null;
  }
}

/**
 * While a lease is held, tells the runner the console follows the session (LiveStore.watch), so
 * it writes the live record liveDraft reads: at most one small write per LIVE_WATCH_REFRESH_MS.
 */
class LiveWatcher {
  private at = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: SessionStore,
    private readonly logger: Logger | undefined,
  ) {}

  async renew(head: Head): Promise<void> {
    const live = this.store.live;
    if (!live?.watch || !head.lease || Date.now() - this.at < LIVE_WATCH_REFRESH_MS) return;
    try {
      await live.watch({ tenant: head.tenant, sessionId: head.sessionId }, Date.now() + LIVE_WATCH_MS);
      this.at = Date.now();
    } catch (error) {
      this.logger?.warn('console could not watch the live record', { session: head.sessionId, error });
    }
  }
}

function update(paths: ConsolePaths, head: Head, digest: SessionDigest, events: SessionEvent[]): string {
  const ref = { tenant: head.tenant, sessionId: head.sessionId };
  return message('update', digest.lastSeq, {
    seq: digest.lastSeq,
    status: head.status,
    timeline: timelineItems(events, digest).value,
    conversation: conversationItems(events).value,
    summary: summarySection(head, digest).value,
    approvals: approvalsSection(paths, ref, digest.approvals(head.status)).value,
    announce:
      events.length > 0 ? `${events.length} new event(s); status ${head.status}` : `status ${head.status}`,
  });
}

/** One SSE message. JSON never contains a raw line break, so `data:` stays one line. */
function message(event: string, id: number | undefined, data: object): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
