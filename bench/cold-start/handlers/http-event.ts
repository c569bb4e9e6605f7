/**
 * The slice of an API Gateway v2 / Function URL event the minimal handlers read: every handler
 * measured for cold start receives the same `POST /sessions/<id>/messages` event.
 */
export interface MinimalHttpEvent {
  rawPath: string;
  body?: string;
}

export interface MinimalHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function messageOf(event: MinimalHttpEvent): { sessionId: string; text: string } {
  const sessionId = decodeURIComponent(event.rawPath.split('/')[2] ?? 'default');
  const { text } = JSON.parse(event.body ?? '{}') as { text?: string };
  if (!text) throw new Error('the request has no text');
  return { sessionId, text };
}

export function reply(text: string): MinimalHttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reply: text }),
  };
}
