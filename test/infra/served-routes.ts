import { consoleSpecs } from '@baton/console';
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
  if (path === '/console' || path.startsWith('/console/')) return consoleServes(method, path);
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

/**
 * Whether the console (@baton/console's specs, mounted by the HTTP handler when BATON_CONSOLE is
 * on) answers a route: a greedy `{proxy+}` when some console page lies under it, else one spec.
 */
function consoleServes(method: string, path: string): boolean {
  const specs = consoleSpecs().filter((spec) => spec.method === method);
  if (path.endsWith('/{proxy+}')) {
    const base = path.slice(0, -'/{proxy+}'.length);
    return specs.some((spec) => spec.path.startsWith(`${base}/`));
  }
  return specs.some((spec) => routeShape(spec.path) === routeShape(path));
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
