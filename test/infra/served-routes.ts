import { createBaton, handleHttp, MemoryStore, type RouteSpec, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';

const baton = createBaton({
  store: new MemoryStore(),
  agents: [createExampleAgent(offlineDemoModel())],
  queue: { enqueue: async () => {} },
  logger: silentLogger,
});

/**
 * Whether core's route table (what every HTTP handler serves) answers an API Gateway route key
 * such as `POST /sessions/{sessionId}/messages`: any answer but "no such route" counts (an unknown
 * session, a body the route rejects). Path parameters become sample values.
 */
export async function routeIsServed(routeKey: string): Promise<boolean> {
  const [method = '', path = ''] = routeKey.split(' ');
  const response = await handleHttp(
    baton,
    {
      method,
      path: path.replace(/\{[^}]+\}/g, 'sample'),
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
    },
    { deadline: Date.now() + 5_000 },
  );
  const code = (response.body.error as { code?: string } | undefined)?.code;
  return code !== 'not_found' && code !== 'method_not_allowed';
}

/** `GET /sessions/{sessionId}` and core's `GET /sessions/{id}` as one key: parameter names dropped. */
export function routeShape(routeKey: string): string {
  return routeKey.replace(/\{[^}]+\}/g, '{}');
}

/**
 * The API routes anyone may call (access `public` in core's route table), as route shapes: a
 * platform authorizer in front of one would lock out what core serves without credentials.
 */
export function publicRouteShapes(table: readonly RouteSpec[]): Set<string> {
  return new Set(
    table.filter((spec) => spec.access === 'public').map((spec) => routeShape(`${spec.method} ${spec.path}`)),
  );
}
