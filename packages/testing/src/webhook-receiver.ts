import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a webhook receiver got: the headers Baton sets and the raw body. */
export interface ReceivedWebhook {
  eventId: string | undefined;
  attempt: string | undefined;
  signature: string | undefined;
  body: string;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A real HTTP webhook receiver on 127.0.0.1 that answers 500 to its first `failures` requests and
 * 200 after, recording every request (a receiver that is down for a while, then recovers).
 *
 * @example
 * const hook = await startWebhookReceiver({ failures: 3 });
 * // register hook.url, run, then: hook.received.length === 4
 * await hook.close();
 */
export async function startWebhookReceiver(options: { failures?: number } = {}): Promise<WebhookReceiver> {
  const failures = options.failures ?? 0;
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = received.length < failures ? 500 : 200;
      received.push({
        eventId: header(request.headers['baton-event-id']),
        attempt: header(request.headers['baton-attempt']),
        signature: header(request.headers['baton-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
