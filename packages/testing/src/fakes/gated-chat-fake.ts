import { type FakeServer, startFakeServer } from './fake-server.js';
import { chatCompletionSse } from './openai-wire.js';

export interface GatedChatFake extends FakeServer {
  /** `${url}/v1`: the base URL an OpenAI-compatible client takes. */
  readonly baseURL: string;
  /** Resolves when the first half of the answer has been sent and the fake waits for `release`. */
  readonly halfway: Promise<void>;
  /** Sends the rest of the answer. */
  release(): void;
}

/**
 * A Chat Completions server on 127.0.0.1 that streams `text` (the wire form of `startOpenAIFake`,
 * in two content deltas) and stops after the first delta until the test calls `release`: a model
 * call that is visibly in flight, with a delta out and the answer not yet complete, for tests of
 * what a client sees while a run streams. Every request gets the same answer.
 *
 * @example
 * const fake = await startGatedChatFake('Hello there!');
 * const model = openAICompatibleModel({ baseURL: fake.baseURL, model: 'gpt-test' });
 * await fake.halfway; // 'Hello ' is out
 * fake.release();
 */
export async function startGatedChatFake(text: string): Promise<GatedChatFake> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reachedHalfway!: () => void;
  const halfway = new Promise<void>((resolve) => {
    reachedHalfway = resolve;
  });
  const server = await startFakeServer(async (request, response) => {
    const body = request.body as { model?: string; stream_options?: { include_usage?: boolean } };
    const parts = chatCompletionSse(
      { text, usage: { input: 10, output: 5 } },
      body.model ?? 'gpt-test',
      body.stream_options?.include_usage === true,
    );
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    // parts[0] opens the assistant message, parts[1] is the first half of the text.
    response.write(parts[0]!);
    response.write(parts[1]!);
    reachedHalfway();
    await released;
    for (const part of parts.slice(2)) response.write(part);
    response.end();
  });
  return Object.assign(server, { baseURL: `${server.url}/v1`, halfway, release: () => release() });
}
