import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API request as the fake received it; JSON-valued form fields (blocks, metadata) are parsed. */
export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
  /** The Slack error the fake answered with, if it failed the call. */
  error?: string;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
  metadata?: unknown;
  user: string;
  bot_id: string;
  /** How many times chat.update rewrote it. */
  edits: number;
}

export type FakeSlackFailure =
  /** HTTP 429 with Retry-After, as Slack answers a rate-limited method. */
  | { error: 'ratelimited'; retryAfterSeconds: number }
  /** HTTP 200 with `ok: false` and this error code (channel_not_found, invalid_auth, ...). */
  | { error: string }
  /** The connection is cut without an answer, after the call took effect or before. */
  | { drop: 'after_applying' | 'before_applying' };

const JSON_FIELDS = new Set(['blocks', 'metadata', 'attachments']);
const BASE_SECONDS = 1_767_225_600;

/**
 * A local stand-in for Slack's Web API (`slackApiUrl` points the real @slack/web-api client at it):
 * chat.postMessage, chat.update, conversations.replies / history (with message metadata) and
 * auth.test, on 127.0.0.1. It records every call and can fail the next calls of a method.
 *
 * @example
 * const slack = await FakeSlackApi.start();
 * const client = new WebClient('xoxb-test', { slackApiUrl: slack.url });
 */
export class FakeSlackApi {
  readonly calls: FakeSlackCall[] = [];
  readonly messages: FakeSlackMessage[] = [];
  private readonly failures = new Map<string, FakeSlackFailure[]>();
  private counter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: { token: string; botUserId: string; botId: string },
  ) {}

  static async start(
    options: { token?: string; botUserId?: string; botId?: string } = {},
  ): Promise<FakeSlackApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSlackApi(server, `http://127.0.0.1:${port}/api/`, {
      token: options.token ?? 'xoxb-test-token',
      botUserId: options.botUserId ?? 'UBOT',
      botId: options.botId ?? 'BBOT',
    });
    server.on('request', (request, response) => {
      fake.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    return fake;
  }

  /** Fails the next `times` calls of `method` (e.g. 'chat.postMessage') this way. */
  failNext(method: string, failure: FakeSlackFailure, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The thread's messages in order, root first (the root only if the bot posted it). */
  thread(channel: string, threadTs: string): FakeSlackMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && (m.ts === threadTs || m.thread_ts === threadTs),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const args = parseArgs(await readBody(request), request.headers['content-type']);
    const call: FakeSlackCall = { method, args };
    this.calls.push(call);
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (body.ok === false) call.error = String(body.error);
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      return answer(200, { ok: false, error: request.headers.authorization ? 'invalid_auth' : 'not_authed' });
    }
    const failure = this.failures.get(method)?.shift();
    if (failure && 'drop' in failure) {
      if (failure.drop === 'after_applying') this.apply(method, args);
      call.error = 'connection_dropped';
      request.socket.destroy();
      return;
    }
    if (failure && failure.error === 'ratelimited' && 'retryAfterSeconds' in failure) {
      return answer(
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(failure.retryAfterSeconds) },
      );
    }
    if (failure) return answer(200, { ok: false, error: failure.error });
    const result = this.apply(method, args);
    answer(200, result);
  }

  private apply(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: this.options.botUserId, bot_id: this.options.botId };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const message: FakeSlackMessage = {
          channel,
          ts: `${BASE_SECONDS + ++this.counter}.${String(this.counter).padStart(6, '0')}`,
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
          text: String(args.text ?? ''),
          ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
          ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
          user: this.options.botUserId,
          bot_id: this.options.botId,
          edits: 0,
        };
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts, message };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? '');
        if (args.blocks !== undefined) message.blocks = args.blocks;
        message.edits++;
        return { ok: true, channel, ts: message.ts, text: message.text };
      }
      case 'conversations.replies':
        return { ok: true, messages: this.visible(args, this.thread(channel, String(args.ts))) };
      case 'conversations.history':
        return {
          ok: true,
          messages: this.visible(
            args,
            this.messages.filter((m) => m.channel === channel && !m.thread_ts),
          ).reverse(),
        };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** Metadata is returned only when asked for, and `oldest` filters by ts, as Slack does. */
  private visible(args: Record<string, unknown>, messages: FakeSlackMessage[]): Record<string, unknown>[] {
    const withMetadata = args.include_all_metadata === 'true' || args.include_all_metadata === true;
    const oldest = args.oldest === undefined ? Number.NEGATIVE_INFINITY : Number(args.oldest);
    return messages
      .filter((message) => Number(message.ts) >= oldest)
      .map(({ metadata, ...rest }) => (withMetadata && metadata ? { ...rest, metadata } : rest));
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/json'))
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = JSON_FIELDS.has(key) ? parseJsonField(value) : value;
  }
  return args;
}

function parseJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
