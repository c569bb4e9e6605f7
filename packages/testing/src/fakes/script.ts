import type { RecordedRequest } from './fake-server.js';

/** An HTTP answer written exactly as given: errors, throttling, malformed bodies. */
export interface RawReply {
  raw: { status: number; headers?: Record<string, string>; body?: string };
}

/** A scripted turn whose stream is cut off halfway (or whose JSON body is cut off). */
export interface TruncatedReply<Turn> {
  truncated: Turn;
}

/** What a fake answers one request with: a turn rendered in the provider's wire format, or a raw reply. */
export type Reply<Turn> = Turn | RawReply | TruncatedReply<Turn>;

export type ReplyFunction<Turn> = (request: RecordedRequest) => Reply<Turn>;

/**
 * The per-test script of a fake: a queue of replies consumed in order, or a function of the parsed
 * request. A request that finds nothing scripted gets a 500 that names the problem.
 */
export class Script<Turn> {
  readonly #queue: Reply<Turn>[] = [];
  #fallback: ReplyFunction<Turn> | undefined;

  /** Appends replies, answered one per request in order. */
  enqueue(...replies: Reply<Turn>[]): this {
    this.#queue.push(...replies);
    return this;
  }

  /** Answers every request the queue does not cover with `reply(request)`. */
  respondWith(reply: ReplyFunction<Turn>): this {
    this.#fallback = reply;
    return this;
  }

  /** How many queued replies are still unused. */
  get pending(): number {
    return this.#queue.length;
  }

  next(request: RecordedRequest): Reply<Turn> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return queued;
    if (this.#fallback) return this.#fallback(request);
    return {
      raw: {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message: `fake has no scripted reply for ${request.method} ${request.path}`,
        }),
      },
    };
  }
}

export function isRawReply<Turn>(reply: Reply<Turn>): reply is RawReply {
  return typeof reply === 'object' && reply !== null && 'raw' in reply;
}

export function isTruncatedReply<Turn>(reply: Reply<Turn>): reply is TruncatedReply<Turn> {
  return typeof reply === 'object' && reply !== null && 'truncated' in reply;
}

/** A turn whose stream (or JSON body) stops halfway through. */
export function truncated<Turn>(turn: Turn): TruncatedReply<Turn> {
  return { truncated: turn };
}

/** A 200 whose body is not valid JSON. */
export function malformedBody(body = '{"id": "cut-off', contentType = 'application/json'): RawReply {
  return { raw: { status: 200, headers: { 'content-type': contentType }, body } };
}

/** Any status with a JSON body. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): RawReply {
  return {
    raw: { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
  };
}

/**
 * The part every scripted fake shares: the server's address and recorded requests, its script, and
 * `enqueue` returning the fake itself for chaining. Each fake adds its own helpers in `extra`.
 */
export function scriptedFake<Turn, Fake extends ScriptedFakeBase<Turn>>(
  server: { readonly url: string; readonly requests: RecordedRequest[]; close(): Promise<void> },
  script: Script<Turn>,
  extra: Omit<Fake, keyof ScriptedFakeBase<Turn>>,
): Fake {
  const fake = {
    get url() {
      return server.url;
    },
    requests: server.requests,
    close: () => server.close(),
    script,
    enqueue(...replies: Reply<Turn>[]) {
      script.enqueue(...replies);
      return fake;
    },
    ...extra,
  } as unknown as Fake;
  return fake;
}

export interface ScriptedFakeBase<Turn> {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
  readonly script: Script<Turn>;
  enqueue(...replies: Reply<Turn>[]): unknown;
}
