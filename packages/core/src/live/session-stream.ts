import type { Baton } from '../baton.js';
import { SessionNotFoundError, ValidationError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { refKey, type SessionRef } from '../session-ref.js';
import { LIVE_WATCH_MS, LIVE_WATCH_REFRESH_MS, type LiveSnapshot } from './live-store.js';
import type { StreamCursor } from './stream-cursor.js';
import { type SseMessage, StreamState } from './stream-state.js';

export interface SessionStreamOptions {
  /** Where the client is (its Last-Event-ID); default: now, the call in flight's text so far included. */
  cursor?: StreamCursor;
  /** Ends the stream (with `data: [DONE]`) after the committed event for which this is true. */
  until?: (event: SessionEvent) => boolean;
  /** The stream closes after this long without `[DONE]`; the client reconnects with its last id. Default 5 minutes. */
  maxDurationMs?: number;
  /** How often the store is read for commits and other invocations' deltas. Default 250 ms. */
  pollMs?: number;
  /** A comment line is sent after this long without a message. Default 15 s. */
  keepAliveMs?: number;
  /** Ends the stream (the client went away). */
  signal?: AbortSignal;
  /** A run this request started: the stream closes only once it settled (function hosts end with the response). */
  settle?: Promise<unknown>;
}

/** The headers of the AI SDK's UI message stream (`UI_MESSAGE_STREAM_HEADERS` in `ai`). */
export const SESSION_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

const PAGE = 200;

/**
 * A session as a server-sent event stream in the AI SDK's UI message stream protocol: the committed
 * events after the cursor, then what happens live (deltas of a model call in this process through
 * `baton.live`, in another invocation through the store's live record, commits by reading the
 * head), until `until`, the maximum duration, or the client leaving. Every message has an `id:` to
 * resume from (see StreamCursor). Checks the session and the cursor first: an unknown session or a
 * cursor past its log throws (a JSON error for the caller to send) before anything is streamed.
 *
 * @example
 *   const body = await openSessionStream(baton, sessionRef('acme', 'chat-1'), { cursor: parseStreamCursor('7:42', 'Last-Event-ID') });
 *   return new Response(body, { headers: SESSION_STREAM_HEADERS });
 */
export async function openSessionStream(
  baton: Baton,
  ref: SessionRef,
  options: SessionStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const head = await baton.store.readHead(ref);
  if (!head) throw new SessionNotFoundError(refKey(ref));
  const cursor = options.cursor ?? { through: head.seq };
  if (cursor.through > head.seq) {
    throw new ValidationError(
      `the stream position ${cursor.through} is past the session's last event (${head.seq})`,
      {
        field: 'after',
      },
    );
  }
  const stopped = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopped.signal]) : stopped.signal;
  const messages = follow(baton, ref, new StreamState(cursor), options, signal);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await messages.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        baton.logger.warn('session stream failed', { session: refKey(ref), error });
        const chunk = { type: 'error', errorText: 'the stream failed; reconnect with the last event id' };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
        controller.close();
      }
    },
    async cancel() {
      stopped.abort();
      await messages.return(undefined);
    },
  });
}

async function* follow(
  baton: Baton,
  ref: SessionRef,
  state: StreamState,
  options: SessionStreamOptions,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 250;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const endAt = performance.now() + (options.maxDurationMs ?? 300_000);
  const waker = new Waker();
  const unsubscribe = baton.live.subscribe(ref, () => waker.ring());
  let lastSent = performance.now();
  let watchedAt = Number.NEGATIVE_INFINITY;
  try {
    yield 'retry: 1000\n\n';
    for (;;) {
      const head = await baton.store.readHead(ref);
      if (!head) {
        yield frame(null, { type: 'error', errorText: 'the session was deleted' });
        return;
      }
      while (head.seq > state.readAfter) {
        const events = await baton.store.readEvents(ref, { afterSeq: state.readAfter, limit: PAGE });
        for (const event of events) {
          for (const message of state.committed(event)) yield frame(message.id, message.chunk);
          if (options.until?.(event)) {
            yield 'data: [DONE]\n\n';
            return;
          }
        }
        if (events.length > 0) lastSent = performance.now();
        if (events.length < PAGE) break;
      }
      const leaseLive = head.lease !== null && head.lease.expiresAt > baton.clock.now();
      const inProcess = baton.live.current(ref);
      // A run this request started is in this process: its deltas come through the hub.
      if (!inProcess && !options.settle) watchedAt = await watch(baton, ref, watchedAt);
      const snapshot = inProcess ?? (leaseLive ? await storeSnapshot(baton, ref) : null);
      if (snapshot) {
        const from = state.historyNeeded(snapshot);
        if (from !== null)
          state.learn(from, await baton.store.readEvents(ref, { afterSeq: from, limit: PAGE }));
        const live = state.live(snapshot, baton.clock.now());
        for (const message of live) yield frame(message.id, message.chunk);
        if (live.length > 0) lastSent = performance.now();
      }
      if (signal.aborted || performance.now() >= endAt) return;
      await waker.wait(Math.min(pollMs, endAt - performance.now()), signal);
      if (signal.aborted) return;
      if (performance.now() - lastSent >= keepAliveMs) {
        yield ': keep-alive\n\n';
        lastSent = performance.now();
      }
    }
  } finally {
    unsubscribe();
    await options.settle?.catch(() => undefined);
  }
}

/**
 * Tells a runner in another process that this stream follows the session, so it writes its
 * snapshots (LiveStore.watch): once when the stream starts, then every LIVE_WATCH_REFRESH_MS while
 * no call streams in this process (one that does reaches the stream through the hub), unless the
 * stream follows a run its own request started here. Returns
 * when it last did; a failed write is logged and tried again at the next poll.
 */
async function watch(baton: Baton, ref: SessionRef, watchedAt: number): Promise<number> {
  const live = baton.store.live;
  if (!live?.watch || performance.now() - watchedAt < LIVE_WATCH_REFRESH_MS) return watchedAt;
  try {
    await live.watch(ref, baton.clock.now() + LIVE_WATCH_MS);
    return performance.now();
  } catch (error) {
    baton.logger.warn('live watch write failed', { session: refKey(ref), error });
    return watchedAt;
  }
}

async function storeSnapshot(baton: Baton, ref: SessionRef): Promise<LiveSnapshot | null> {
  try {
    return (await baton.store.live?.read(ref)) ?? null;
  } catch (error) {
    // A preview that failed to load: the committed events still come.
    baton.logger.warn('live snapshot read failed', { session: refKey(ref), error });
    return null;
  }
}

function frame(id: string | null, chunk: SseMessage['chunk']): string {
  return `${id === null ? '' : `id: ${id}\n`}data: ${JSON.stringify(chunk)}\n\n`;
}

/** Wakes the stream early when this process publishes a delta or ends a call. */
class Waker {
  private rang = false;
  private resolve: (() => void) | null = null;

  ring(): void {
    this.rang = true;
    this.resolve?.();
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.rang || signal.aborted) {
      this.rang = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.resolve = null;
        this.rang = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }
}
