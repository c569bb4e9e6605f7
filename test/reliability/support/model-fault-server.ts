import {
  chatCompletionJson,
  chatCompletionSse,
  type FakeServer,
  type OpenAIFakeTurn,
  openAIError,
  sendRaw,
  sendStream,
  startFakeServer,
} from '@baton/testing';

/**
 * What the model server answers one request with: a turn, or one of the failures a provider
 * produces. `hang` never answers (the client's timeout or the invocation deadline ends the call).
 */
export type ModelReply =
  | { turn: OpenAIFakeTurn }
  | { status: 429 | 500 | 503 | 400 }
  | { truncated: OpenAIFakeTurn }
  | { malformed: true }
  | { noChoices: true }
  | { hang: true };

export function isFault(reply: ModelReply): boolean {
  return !('turn' in reply);
}

/** Which kind of failure a reply is (`status 429`, `truncated`, `hang`...), to count distinct cases. */
export function faultCase(reply: ModelReply): string {
  return 'status' in reply ? `status ${reply.status}` : Object.keys(reply)[0]!;
}

/**
 * A Chat Completions server (JSON, and SSE when asked to stream) that answers requests in order
 * from a queue of replies, faults included; the real `openai` SDK talks to it.
 */
export async function startModelFaultServer(): Promise<
  FakeServer & { baseURL: string; queue: ModelReply[]; served: ModelReply[] }
> {
  const queue: ModelReply[] = [];
  const served: ModelReply[] = [];
  const server = await startFakeServer((request, response) => {
    const reply = queue.shift() ?? { status: 500 };
    served.push(reply);
    const body = (request.body ?? {}) as { model?: string; stream?: boolean };
    const model = body.model ?? 'fake-chat';
    if ('hang' in reply) return;
    if ('status' in reply) {
      const headers: Record<string, string> = reply.status === 429 ? { 'retry-after-ms': '1' } : {};
      sendRaw(response, openAIError(reply.status, `injected ${reply.status}`, { headers }).raw);
      return;
    }
    if ('malformed' in reply) {
      sendRaw(response, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"id": "chatcmpl-cut',
      });
      return;
    }
    if ('noChoices' in reply) {
      sendRaw(response, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'chatcmpl-empty',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [],
        }),
      });
      return;
    }
    const cut = 'truncated' in reply;
    const turn = cut ? reply.truncated : reply.turn;
    if (body.stream) {
      const frames = chatCompletionSse(turn, model, true);
      sendStream(
        response,
        { 'content-type': 'text/event-stream' },
        frames,
        cut ? Math.floor(frames.length / 2) : undefined,
      );
      return;
    }
    const json = JSON.stringify(chatCompletionJson(turn, model));
    if (cut)
      sendStream(response, { 'content-type': 'application/json' }, [json.slice(0, json.length / 2)], 1);
    else sendRaw(response, { status: 200, headers: { 'content-type': 'application/json' }, body: json });
  });
  return Object.assign(server, { baseURL: `${server.url}/v1`, queue, served });
}
