import type { Identity } from '../auth/identity.js';
import type { Baton } from '../baton.js';
import { isRetryable, ValidationError } from '../errors.js';
import type { EventOf, SessionEvent } from '../events.js';
import { type HttpRequest, messageInput } from '../http-routes.js';
import { refKey, sessionRef } from '../session-ref.js';
import { openSessionStream, SESSION_STREAM_HEADERS, type SessionStreamOptions } from './session-stream.js';
import { parseStreamCursor, type StreamCursor } from './stream-cursor.js';

export interface StreamRouteOptions {
  /** The caller as `app.fetch` authenticated it; its tenant is the session's. */
  identity: Identity | null;
  /** The tenant without an identity (direct calls). */
  tenant?: string;
  /** Epoch ms by which the invocation must return: the stream ends by then (the client reconnects). */
  deadline: number;
  maxBodyBytes?: number;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
  /** Read intervals and limits of the stream (tests shorten them). */
  stream?: Pick<SessionStreamOptions, 'pollMs' | 'keepAliveMs' | 'maxDurationMs'>;
}

const MAX_DURATION_MS = 5 * 60_000;

/**
 * The streaming routes, for `app.fetch` (the JSON `handleHttp` cannot stream); null for any other
 * request. `GET /sessions/{id}/stream` follows the session from `Last-Event-ID` or `?after=` (default:
 * now), `?until=finished` ending it with the run it follows; `POST /sessions/{id}/messages` with
 * `Accept: text/event-stream` records the input as the JSON route does (same checks, same
 * Idempotency-Key rules) and streams the run it started until that run answers it, fails, or waits
 * for approval. Errors before the stream starts (unknown session, bad cursor, bad body) are thrown
 * as BatonErrors, which the caller answers with the usual JSON.
 *
 * @example
 *   const response = await streamRoute(baton, request, { identity, deadline: Date.now() + 60_000, signal });
 */
export async function streamRoute(
  baton: Baton,
  request: HttpRequest,
  options: StreamRouteOptions,
): Promise<Response | null> {
  const segments = request.path.split('/').filter((segment) => segment !== '');
  if (segments.length !== 3 || segments[0] !== 'sessions') return null;
  const method = request.method.toUpperCase();
  const follow = method === 'GET' && segments[2] === 'stream';
  const send = method === 'POST' && segments[2] === 'messages' && wantsEventStream(request.headers.accept);
  if (!follow && !send) return null;
  const tenant = options.identity?.tenant ?? options.tenant ?? request.headers['x-baton-tenant'] ?? 'default';
  const ref = sessionRef(tenant, decodeSegment(segments[1]!));
  const maxDurationMs = Math.max(
    0,
    Math.min(options.stream?.maxDurationMs ?? MAX_DURATION_MS, options.deadline - baton.clock.now()),
  );
  const common: SessionStreamOptions = {
    ...options.stream,
    maxDurationMs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (follow) {
    const stream = await openSessionStream(baton, ref, {
      ...common,
      ...cursorOf(request),
      ...(untilOf(request) ? { until: runEnded } : {}),
    });
    return new Response(stream, { status: 200, headers: SESSION_STREAM_HEADERS });
  }
  const input = messageInput(ref, request, options);
  const { submit, running } = await baton.startTurn(ref, input, { deadline: options.deadline });
  const settle = running?.then(
    () => undefined,
    (error: unknown) => {
      const level = isRetryable(error) ? 'warn' : 'error';
      // The enqueued run message retries it; the stream goes on following the session.
      baton.logger[level]('streamed run failed', { session: refKey(ref), error });
    },
  );
  const stream = await openSessionStream(baton, ref, {
    ...common,
    cursor: { through: submit.inputSeq - 1 },
    until: answers(submit.inputSeq),
    ...(settle ? { settle } : {}),
  });
  const headers = {
    ...SESSION_STREAM_HEADERS,
    'x-baton-input-seq': String(submit.inputSeq),
    'x-baton-duplicate': String(submit.duplicate),
  };
  return new Response(stream, { status: 200, headers });
}

function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\b/i.test(accept);
}

/** Where the client resumes: `Last-Event-ID` (what EventSource sends) wins over `?after=`. */
function cursorOf(request: HttpRequest): { cursor?: StreamCursor } {
  const header = request.headers['last-event-id'];
  if (header !== undefined && header !== '') return { cursor: parseStreamCursor(header, 'Last-Event-ID') };
  const after = request.query.get('after');
  if (after !== null) return { cursor: parseStreamCursor(after, 'after') };
  return {};
}

function untilOf(request: HttpRequest): boolean {
  const until = request.query.get('until');
  if (until === null) return false;
  if (until !== 'finished') {
    throw new ValidationError('until must be "finished" (or left out to follow until the stream times out)', {
      field: 'until',
    });
  }
  return true;
}

/** The end of the run a follower watches: it finished (for any reason) or waits for approval. */
function runEnded(event: SessionEvent): boolean {
  return event.kind === 'run_finished' || event.kind === 'interrupt';
}

/**
 * Whether the run answered the input at `inputSeq` (as `answerOf` decides for the JSON answer), or
 * stopped without answering it: a failure, a cancel, a wait for approval.
 */
function answers(inputSeq: number): (event: SessionEvent) => boolean {
  let response: EventOf<'model_response'> | undefined;
  return (event) => {
    if (event.seq <= inputSeq) return false;
    if (event.kind === 'model_response') response = event;
    if (event.kind === 'interrupt') return true;
    if (event.kind !== 'run_finished') return false;
    if (event.reason !== 'completed' && event.reason !== 'max_steps') return true;
    return response !== undefined && (response.contextThrough ?? response.seq) >= inputSeq;
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError('the path is not valid percent-encoding');
  }
}
