import type { Identity } from '@baton/core';

/**
 * The console speaks plain request/response values so any host can mount it: the local node:http
 * server, a Lambda HTTP handler, an Azure Functions HTTP trigger. Hosts translate, nothing more.
 */
export interface ConsoleRequest {
  method: string;
  /** Path without the query string, with any stage or route prefix already removed. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body?: string | undefined;
  /** Aborted when the client goes away: ends a live stream. */
  signal?: AbortSignal;
  /**
   * Who is calling, as the host's app resolved it before the console ran (null on the public
   * sign-in page and assets). Pages without one answer 401 with the sign-in form.
   */
  identity?: Identity | null;
  /** The request came over HTTPS (the sign-in cookie is then Secure). */
  secure?: boolean;
}

export type ConsoleResponse =
  | { status: number; headers: Record<string, string>; body: string }
  /** Server-Sent Events: write each chunk as it comes; the iterable ends when the stream closes. */
  | { status: number; headers: Record<string, string>; stream: AsyncIterable<string> };

export type ConsoleHandler = ((request: ConsoleRequest) => Promise<ConsoleResponse>) & {
  /** Ends every open live stream and resolves once they have ended (for a server that is shutting down). */
  close(): Promise<void>;
};

/**
 * Collects a streamed response into one body, for hosts that cannot stream (API Gateway with a
 * buffered Lambda): mount the console with `streamMaxMs: 0` and each stream request answers what is
 * new and ends; the browser's EventSource reconnects after the `retry` interval.
 */
export async function bufferResponse(
  response: ConsoleResponse,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  if ('body' in response) return response;
  let body = '';
  for await (const chunk of response.stream) body += chunk;
  return { status: response.status, headers: response.headers, body };
}
