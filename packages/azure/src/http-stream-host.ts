import azureFunctions, { type HttpResponseInit } from '@azure/functions';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpResponse } = azureFunctions;

/**
 * What the Functions host does with an HTTP trigger's result when `app.setup({ enableHttpStream:
 * true })` is on, as @azure/functions' `sendProxyResponse` does it: the result becomes an
 * `HttpResponse`, its status and headers go out, then each chunk of `body.values()` is written to
 * the client as the iterator yields it. For tests: the client's side of a streamed response.
 *
 * @example
 * const response = hostResponse(await handler(request, invocationContext()));
 * for await (const chunk of response.chunks) console.log(chunk);
 */
export function hostResponse(init: HttpResponseInit) {
  const response = new HttpResponse(init);
  return {
    status: response.status,
    headers: response.headers,
    /** The body's chunks, each as soon as the handler's stream produced it. */
    chunks: (async function* () {
      if (!response.body) return;
      for await (const chunk of response.body.values()) yield new Uint8Array(chunk as ArrayBufferLike);
    })(),
  };
}
