import type OpenAI from 'openai';

/** The `openai` package's exports, as a dynamic import gives them. */
export type OpenAISdk = typeof import('openai');

/** How a model reaches its client: the SDK is loaded, and the client made, on the first call. */
export type ClientSource = () => Promise<OpenAI>;

/**
 * A client made from the `openai` package on the first call, not when the model is made: a cold
 * start that never calls the model (an HTTP invocation that hands its run to the queue, a health
 * check) never loads the SDK (about 150 KB). A failed load is not kept; the next call tries again.
 *
 * @example
 * const client = lazyClient((sdk) => new sdk.OpenAI({ apiKey }));
 * const response = await (await client()).responses.create(body);
 */
export function lazyClient(make: (sdk: OpenAISdk) => OpenAI): ClientSource {
  let client: Promise<OpenAI> | undefined;
  return () => {
    client ??= import('openai').then(make).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}

/**
 * A client the caller made (its own retries and timeout apply), as a ClientSource.
 *
 * @example
 * const client = readyClient(new OpenAI({ apiKey }));
 */
export function readyClient(client: OpenAI): ClientSource {
  const ready = Promise.resolve(client);
  return () => ready;
}
