import { randomBytes } from 'node:crypto';
import type { RouteSpec } from '@baton/core';
import type { SuiteRequest } from './hosts.js';
import type { IdentityProvider } from './jwks.js';
import { ACME_WAITING, PENDING_CALL, type SuiteKeys } from './security-world.js';

/** A request that exercises `spec`: its parameters filled with acme's waiting session and call. */
export function requestFor(
  spec: RouteSpec,
  options: { sessionId?: string; callId?: string; responseId?: string } = {},
): SuiteRequest {
  const segments = spec.path.split('/');
  const filled = segments.map((segment, index) => {
    if (!segment.startsWith('{')) return segment;
    const before = segments[index - 1];
    if (before === 'sessions') return encodeURIComponent(options.sessionId ?? ACME_WAITING);
    if (before === 'approvals') return encodeURIComponent(options.callId ?? PENDING_CALL);
    if (before === 'responses') return encodeURIComponent(options.responseId ?? 'x');
    return 'x';
  });
  const path = filled.join('/');
  if (spec.method === 'GET' || spec.method === 'DELETE') return { method: spec.method, path };
  return { method: spec.method, path, headers: { 'content-type': 'application/json' }, body: bodyFor(path) };
}

function bodyFor(path: string): string {
  // The OpenAI-compatible front door: `model` names the suite's agent; a plain message it answers.
  if (/^\/v1\/responses$/.test(path)) return JSON.stringify({ model: 'guarded', input: 'hello' });
  if (/^\/v1\/chat\/completions$/.test(path))
    return JSON.stringify({ model: 'guarded', messages: [{ role: 'user', content: 'hello' }] });
  if (/\/messages$/.test(path)) return JSON.stringify({ text: 'email zed' });
  if (/\/approvals\//.test(path)) return JSON.stringify({ approved: true, reason: 'security suite' });
  // A host that cannot resolve: the webhook's deliveries fail at once and change nothing the suite reads.
  if (/\/webhooks$/.test(path))
    return JSON.stringify({ url: 'https://hooks.example.invalid/baton', events: ['run.finished'] });
  // An hour ahead: it never fires while the suite runs.
  if (/\/schedules$/.test(path)) return JSON.stringify({ text: 'security suite', delaySeconds: 3600 });
  return '{}';
}

export interface CredentialCase {
  name: string;
  headers: Record<string, string>;
  status: 401 | 403;
  /** Error codes acceptable for this case (two where the contract lets the mode decide). */
  codes: readonly string[];
}

const INVALID = ['invalid_credentials'] as const;

/** A random keyId in the key format (16 lowercase base32 characters). */
function unknownKeyId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('');
}

/** The secret part of a key: everything after `bk_<keyId>_`. */
function secretOf(key: string): string {
  return key.split('_').slice(2).join('_');
}

/**
 * Every wrong credential the suite sends to a route needing `scope`: none, malformed, unknown, forged,
 * revoked, expired, another tenant's, and a good one that lacks the scope.
 */
export async function credentialCases(
  scope: string,
  keys: SuiteKeys,
  idp: IdentityProvider,
): Promise<CredentialCase[]> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const unscoped = scope === 'read' ? keys.acmeSendOnly : keys.acmeReadOnly;
  const jwtScopes = scope === 'read' ? 'send' : 'read';
  const acme = keys.acmeAll;
  return [
    { name: 'no credentials', headers: {}, status: 401, codes: ['unauthenticated'] },
    {
      name: 'an empty Bearer',
      headers: { authorization: 'Bearer' },
      status: 401,
      codes: ['unauthenticated', 'invalid_credentials'],
    },
    {
      name: 'Basic credentials',
      headers: { authorization: 'Basic YWNtZTpodW50ZXIy' },
      status: 401,
      codes: ['unauthenticated', 'invalid_credentials'],
    },
    {
      // No mode recognizes it: "no credential of a kind we take" and "a bad credential" both hold.
      name: 'a Bearer that is neither key nor JWT',
      headers: bearer('not-a-token'),
      status: 401,
      codes: ['unauthenticated', 'invalid_credentials'],
    },
    { name: 'a malformed key', headers: bearer('bk_short_x'), status: 401, codes: INVALID },
    {
      name: 'an unknown keyId',
      headers: bearer(`bk_${unknownKeyId()}_${secretOf(acme.key)}`),
      status: 401,
      codes: INVALID,
    },
    {
      name: 'the right keyId with a wrong secret',
      headers: bearer(`bk_${acme.record.keyId}_${randomBytes(32).toString('base64url')}`),
      status: 401,
      codes: INVALID,
    },
    {
      name: 'a wrong secret in x-api-key',
      headers: { 'x-api-key': `bk_${acme.record.keyId}_${randomBytes(32).toString('base64url')}` },
      status: 401,
      codes: INVALID,
    },
    { name: 'a revoked key', headers: bearer(keys.acmeRevoked.key), status: 401, codes: INVALID },
    {
      name: "globex's key asking for tenant acme",
      headers: { ...bearer(keys.globex.key), 'x-baton-tenant': 'acme' },
      status: 403,
      codes: ['tenant_mismatch'],
    },
    {
      name: "acme's key asking for tenant globex",
      headers: { ...bearer(acme.key), 'x-baton-tenant': 'globex' },
      status: 403,
      codes: ['tenant_mismatch'],
    },
    {
      name: `an acme key without ${scope}`,
      headers: bearer(unscoped.key),
      status: 403,
      codes: ['insufficient_scope'],
    },
    {
      name: 'an expired JWT',
      headers: bearer(await idp.token({ expiresIn: -3600 })),
      status: 401,
      codes: INVALID,
    },
    {
      name: 'a JWT signed by a key not in the JWKS',
      headers: bearer(await idp.forgedToken()),
      status: 401,
      codes: INVALID,
    },
    {
      name: 'a JWT for another audience',
      headers: bearer(await idp.token({ aud: 'someone-else' })),
      status: 401,
      codes: INVALID,
    },
    {
      name: 'a JWT from another issuer',
      headers: bearer(await idp.token({ iss: 'https://evil.example/' })),
      status: 401,
      codes: INVALID,
    },
    { name: 'a JWT with alg none', headers: bearer(idp.unsignedToken()), status: 401, codes: INVALID },
    {
      name: 'a globex JWT asking for tenant acme',
      headers: { ...bearer(await idp.token({ tenant: 'globex' })), 'x-baton-tenant': 'acme' },
      status: 403,
      codes: ['tenant_mismatch'],
    },
    {
      name: `an acme JWT without ${scope}`,
      headers: bearer(await idp.token({ scope: jwtScopes })),
      status: 403,
      codes: ['insufficient_scope'],
    },
  ];
}

/** The scope the contract gives each kind of route. */
export function contractScope(spec: RouteSpec): string {
  if (spec.method === 'GET') return 'read';
  // Cancelling a schedule undoes what a send made (like cancelling a run); deleting a session is admin.
  if (spec.method === 'DELETE' && /\/schedules\/\{[^}]+\}$/.test(spec.path)) return 'send';
  if (spec.method === 'DELETE') return 'admin';
  if (/\/approvals\/\{[^}]+\}$/.test(spec.path)) return 'approve';
  if (/\/messages$/.test(spec.path)) return 'send';
  if (/\/webhooks$/.test(spec.path)) return 'send';
  if (/\/cancel$/.test(spec.path)) return 'send';
  if (/\/schedules$/.test(spec.path)) return 'send';
  // Creating a response or a chat completion sends a message (an approval inside one also needs approve).
  if (spec.path === '/v1/responses' || spec.path === '/v1/chat/completions') return 'send';
  return '(not in the contract)';
}

/** Public routes the contract allows: the health check and the console's sign-in. */
export function isAllowedPublic(spec: RouteSpec): boolean {
  if (spec.method === 'GET' && spec.path === '/healthz') return true;
  // The sign-in form, and the stylesheet and script it is drawn with (static, no data).
  if (spec.owner === 'console' && spec.method === 'GET' && /\/assets\/\{[^}]+\}$/.test(spec.path))
    return true;
  return spec.owner === 'console' && /\/(login|sign-?in)$/.test(spec.path);
}
