import type { RouteSpec } from '../auth/route-spec.js';

/**
 * The OpenAI-compatible routes (docs/interop.md, "OpenAI-compatible API"), each with the scope of
 * its /sessions counterpart: creating a response or a chat completion sends a message (`send`; an
 * `mcp_approval_response` input item also needs `approve`, checked by the route), reading a
 * response or the agents is `read`. Part of API_ROUTES, so every host serves and declares them.
 *
 * @example
 *   OPENAI_ROUTES.map((spec) => `${spec.method} ${spec.path}`); // ['POST /v1/responses', ...]
 */
export const OPENAI_ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/v1/responses', access: 'send', owner: 'api' },
  { method: 'GET', path: '/v1/responses/{id}', access: 'read', owner: 'api' },
  { method: 'POST', path: '/v1/chat/completions', access: 'send', owner: 'api' },
  { method: 'GET', path: '/v1/models', access: 'read', owner: 'api' },
];
