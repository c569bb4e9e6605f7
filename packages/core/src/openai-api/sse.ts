import type { Baton } from '../baton.js';

export const OPENAI_SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * A server-sent event response from frames (each a complete `...\n\n` block). A failure after the
 * stream started is logged and ends it; the client reads the rest with `GET /v1/responses/{id}`.
 *
 * @example
 *   return sseResponse(baton, frames(), { 'baton-session': 'conv_1' });
 */
export function sseResponse(
  baton: Baton,
  frames: AsyncGenerator<string>,
  headers: Record<string, string> = {},
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await frames.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        baton.logger.warn('OpenAI-compatible stream failed', { error });
        controller.close();
      }
    },
    async cancel() {
      await frames.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { ...OPENAI_SSE_HEADERS, ...headers } });
}
