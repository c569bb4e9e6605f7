import { consoleSpecs } from '@baton/console';
import { createBatonApp, defineBaton, MemoryStore, type RouteSpec, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';

const app = createBatonApp(defineBaton({ agents: [createExampleAgent(offlineDemoModel())], auth: 'none' }), {
  store: new MemoryStore(),
  queue: { enqueue: async () => {} },
  logger: silentLogger,
  env: {},
});

/**
 * Whether the app every HTTP handler serves (`app.fetch`: core's route table, the /sessions API
 * and the OpenAI-compatible /v1 routes) answers an API Gateway route key such as
 * `POST /sessions/{sessionId}/messages`: any answer but "no such route" counts (an unknown
 * session or response, a body the route rejects). Path parameters become sample values.
 */
export async function routeIsServed(routeKey: string): Promise<boolean> {
  const [method = '', path = ''] = routeKey.split(' ');
  if (path === '/console' || path.startsWith('/console/')) return consoleServes(method, path);
  const response = await app.fetch(
    new Request(`http://localhost${path.replace(/\{[^}]+\}/g, 'sample')}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    }),
    { deadline: Date.now() + 5_000 },
  );
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  const { code, message = '' } = body.error ?? {};
  if (code === 'method_not_allowed') return false;
  return !(code === 'not_found' && message.startsWith('no route for'));
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
