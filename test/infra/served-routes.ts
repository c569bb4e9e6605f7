import { createBaton, handleHttp, MemoryStore, silentLogger } from '@baton/core';
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
