import {
  type FakeResponse,
  type FakeServer,
  type RecordedRequest,
  sendRaw,
  sendStream,
  startFakeServer,
} from './fake-server.js';
import {
  chatCompletionJson,
  chatCompletionSse,
  type OpenAIFakeTurn,
  responseJson,
  responseSse,
} from './openai-wire.js';
import {
  isRawReply,
  isTruncatedReply,
  jsonReply,
  type RawReply,
  type Reply,
  Script,
  scriptedFake,
} from './script.js';

/** Which OpenAI operation a request reached, and the Azure parts of its address. */
export interface OpenAIRoute {
  api: 'chat' | 'responses';
  /** Azure deployment from `/openai/deployments/{deployment}/...`, when the path has one. */
  deployment?: string;
  /** The `api-version` query parameter (Azure), when present. */
  apiVersion?: string;
}

export interface OpenAIFake extends FakeServer {
  /** `${url}/v1`: the base URL an OpenAI client or an OpenAI-compatible client takes. */
  readonly baseURL: string;
  readonly script: Script<OpenAIFakeTurn>;
  enqueue(...replies: Reply<OpenAIFakeTurn>[]): OpenAIFake;
  /** The operation and Azure parts of a recorded request. */
  routeOf(request: RecordedRequest): OpenAIRoute | undefined;
}

/**
 * A local server speaking OpenAI's wire protocol: Chat Completions (JSON, and SSE when the body
 * has `stream: true`) and Responses (JSON and SSE) under any prefix, so one fake serves
 * `/v1/...` (OpenAI and compatible servers), `/openai/v1/...` (Azure v1, Bedrock runtime), and
 * Azure's `/openai/deployments/{deployment}/chat/completions?api-version=...` and
 * `/openai/responses?api-version=...`.
 *
 * @example
 * const fake = await startOpenAIFake();
 * fake.enqueue({ text: 'Hello!', usage: { input: 12, output: 3 } });
 * const client = new OpenAI({ apiKey: 'test-key', baseURL: fake.baseURL });
 * await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
 * await fake.close();
 */
export async function startOpenAIFake(): Promise<OpenAIFake> {
  const script = new Script<OpenAIFakeTurn>();
  const server = await startFakeServer((request, response) => {
    const route = routeOf(request);
    if (!route || request.method !== 'POST') {
      sendRaw(response, openAIError(404, `no route for ${request.method} ${request.path}`).raw);
      return;
    }
    answer(route, request, script.next(request), response);
  });
  return scriptedFake<OpenAIFakeTurn, OpenAIFake>(server, script, { baseURL: `${server.url}/v1`, routeOf });
}

function routeOf(request: RecordedRequest): OpenAIRoute | undefined {
  const api = request.path.endsWith('/chat/completions')
    ? 'chat'
    : request.path.endsWith('/responses')
      ? 'responses'
      : undefined;
  if (!api) return undefined;
  const deployment = /\/deployments\/([^/]+)\//.exec(request.path)?.[1];
  const apiVersion = request.query['api-version'];
  return {
    api,
    ...(deployment ? { deployment } : {}),
    ...(apiVersion ? { apiVersion } : {}),
  };
}

function answer(
  route: OpenAIRoute,
  request: RecordedRequest,
  reply: Reply<OpenAIFakeTurn>,
  response: FakeResponse,
): void {
  if (isRawReply(reply)) {
    sendRaw(response, reply.raw);
    return;
  }
  const cut = isTruncatedReply(reply);
  const turn = cut ? reply.truncated : reply;
  const body = (request.body ?? {}) as { model?: string; stream?: boolean; stream_options?: unknown };
  const model = route.deployment ?? body.model ?? 'unknown-model';

  if (body.stream === true) {
    const includeUsage =
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const frames =
      route.api === 'chat' ? chatCompletionSse(turn, model, includeUsage) : responseSse(turn, model);
    const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
    sendStream(response, headers, frames, cut ? Math.floor(frames.length / 2) : undefined);
    return;
  }
  const json = JSON.stringify(
    route.api === 'chat' ? chatCompletionJson(turn, model) : responseJson(turn, model),
  );
  if (cut) {
    sendStream(response, { 'content-type': 'application/json' }, [json.slice(0, json.length / 2)], 1);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(json);
}

/**
 * An error in OpenAI's shape (`{ error: { message, type, param, code } }`). Pass
 * `headers: { 'retry-after': '0' }` with a 429 so an SDK that retries does so without waiting.
 */
export function openAIError(
  status: number,
  message: string,
  options: { type?: string; code?: string | null; headers?: Record<string, string> } = {},
): RawReply {
  const type =
    options.type ??
    (status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error');
  return jsonReply(
    status,
    { error: { message, type, param: null, code: options.code ?? null } },
    options.headers,
  );
}
