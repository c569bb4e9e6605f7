import { type RouteSpec, SCOPES } from '@baton/core';
import { signedSlackRequest } from '@baton/slack/testing';
import type { HostUnderTest, SuiteRequest, SuiteResponse } from './hosts.js';
import type { IdentityProvider } from './jwks.js';
import { contractScope, credentialCases, isAllowedPublic, requestFor } from './route-cases.js';
import {
  ACME_DOOMED,
  ACME_MARKER,
  ACME_WAITING,
  GLOBEX_OWN,
  SLACK_SIGNING_SECRET,
  type SuiteKeys,
  storeSnapshot,
} from './security-world.js';

/** What one check found: how many cases it sent, and a line per case that went wrong. */
export interface Findings {
  cases: number;
  problems: string[];
}

/** The body the positive check sends to a signed route: Slack's url_verification. */
const SLACK_CHALLENGE = JSON.stringify({ type: 'url_verification', challenge: 'security-suite' });

const label = (spec: RouteSpec) => `${spec.method} ${spec.path} (${spec.access}, ${spec.owner})`;

/** Who may call each route, against the contract: nothing public but the health check and sign-in. */
export function checkTable(routes: readonly RouteSpec[]): Findings {
  const problems: string[] = [];
  for (const spec of routes) {
    if (spec.access === 'public') {
      if (!isAllowedPublic(spec)) problems.push(`${label(spec)} is public`);
    } else if (spec.access === 'signed') {
      if (spec.owner === 'api' || spec.owner === 'console')
        problems.push(`${label(spec)} is signed by no one`);
    } else if (!SCOPES.includes(spec.access)) problems.push(`${label(spec)} has an unknown access`);
    else if (contractScope(spec) !== spec.access && spec.owner !== 'console')
      problems.push(`${label(spec)} needs ${spec.access}, the contract says ${contractScope(spec)}`);
  }
  return { cases: routes.length, problems };
}

/** OpenAI's error `type` for a status, as the `openai` SDK reads it (the /v1 routes answer in its shape). */
const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
};

/**
 * A JSON error with one of `codes`, else what is wrong: `{error:{code,message,retryable:false}}`,
 * or under /v1/ OpenAI's `{error:{message,type,param,code}}` with the status's `type`.
 */
export function errorProblem(
  response: SuiteResponse,
  status: number,
  codes: readonly string[],
  path = '',
): string | null {
  const error = (
    response.json as {
      error?: { code?: unknown; message?: unknown; retryable?: unknown; type?: unknown; param?: unknown };
    }
  )?.error;
  if (response.status !== status || !error || !codes.includes(String(error.code)))
    return `got ${response.status} ${response.text.slice(0, 160)}, expected ${status} ${codes.join('|')}`;
  if (path.startsWith('/v1/')) {
    if (
      typeof error.message !== 'string' ||
      error.type !== (OPENAI_TYPES[status] ?? error.type) ||
      !('param' in error)
    )
      return `not an OpenAI error of type ${OPENAI_TYPES[status]}: ${response.text.slice(0, 160)}`;
  } else if (typeof error.message !== 'string' || error.retryable !== false)
    return `error body lacks message or retryable:false: ${response.text.slice(0, 160)}`;
  if (status === 401 && !/^Bearer/i.test(response.headers['www-authenticate'] ?? ''))
    return 'a 401 without WWW-Authenticate: Bearer';
  if (response.text.includes(ACME_MARKER)) return "the error shows acme's session";
  return null;
}

/** Sends `request` and reports what changed in the store (everything, or one tenant's part). */
export async function unchanged(
  host: HostUnderTest,
  request: SuiteRequest,
  tenant?: string,
): Promise<{ response: SuiteResponse; changed: boolean }> {
  const before = await storeSnapshot(host.store, tenant);
  const response = await host.send(request);
  return { response, changed: (await storeSnapshot(host.store, tenant)) !== before };
}

/** Every wrong credential on every access-checked route: 401/403, a JSON error, nothing changed. */
export async function checkWrongCredentials(
  host: HostUnderTest,
  routes: readonly RouteSpec[],
  keys: SuiteKeys,
  idp: IdentityProvider,
): Promise<Findings> {
  const findings: Findings = { cases: 0, problems: [] };
  for (const spec of routes) {
    if (spec.access === 'public') continue;
    const request = requestFor(spec);
    if (spec.access === 'signed') {
      findings.cases++;
      const { response, changed } = await unchanged(host, request);
      if (response.status !== 401 || !(response.json as { error?: unknown })?.error)
        findings.problems.push(
          `${label(spec)} unsigned: got ${response.status} ${response.text.slice(0, 120)}`,
        );
      if (changed) findings.problems.push(`${label(spec)} unsigned: the store changed`);
      continue;
    }
    for (const testCase of await credentialCases(spec.access, keys, idp)) {
      findings.cases++;
      const { response, changed } = await unchanged(host, {
        ...request,
        headers: { ...request.headers, ...testCase.headers },
      });
      const problem = errorProblem(response, testCase.status, testCase.codes, request.path);
      if (problem) findings.problems.push(`${label(spec)} with ${testCase.name}: ${problem}`);
      if (changed) findings.problems.push(`${label(spec)} with ${testCase.name}: the store changed`);
    }
  }
  return findings;
}

/** globex's good key, no tenant header, on acme's session: globex's namespace, acme untouched and unseen. */
export async function checkOtherTenant(
  host: HostUnderTest,
  routes: readonly RouteSpec[],
  keys: SuiteKeys,
): Promise<Findings> {
  const findings: Findings = { cases: 0, problems: [] };
  for (const spec of routes) {
    if (spec.access === 'public' || spec.access === 'signed') continue;
    findings.cases++;
    const request = requestFor(spec);
    const { response, changed } = await unchanged(
      host,
      { ...request, headers: { ...request.headers, authorization: `Bearer ${keys.globex.key}` } },
      'acme',
    );
    if (changed) findings.problems.push(`${label(spec)} by globex: acme's sessions changed`);
    if (response.text.includes(ACME_MARKER))
      findings.problems.push(`${label(spec)} by globex: shows acme's session`);
    if (response.status >= 500) findings.problems.push(`${label(spec)} by globex: ${response.status}`);
    if (
      spec.owner === 'api' &&
      /\{[^}]+\}$/.test(spec.path) &&
      spec.method === 'GET' &&
      response.status !== 404
    )
      findings.problems.push(`${label(spec)} by globex: got ${response.status}, expected 404`);
    // What globex made in its own namespace (a message to "acme-waiting") goes, so later cases start clean.
    await host.store.delete({ tenant: 'globex', sessionId: ACME_WAITING });
  }
  return findings;
}

/** Each route with the right identity: served (2xx, or 404 for a missing call), never refused. */
export async function checkRightIdentity(
  host: HostUnderTest,
  routes: readonly RouteSpec[],
  keys: SuiteKeys,
  idp: IdentityProvider,
): Promise<Findings> {
  const findings: Findings = { cases: 0, problems: [] };
  const acmeJwt = await idp.token({ tenant: 'acme', sub: 'user-ana' });
  // Cancel after the message it stops, deletes last: the approvals check needs acme's waiting session
  // as seeded (a cancel resolves its pending call as rejected), so cancel stops 'acme-new' instead.
  const rank = (spec: RouteSpec) => (spec.method === 'DELETE' ? 2 : /\/cancel$/.test(spec.path) ? 1 : 0);
  const ordered = [...routes].sort((a, b) => rank(a) - rank(b));
  for (const spec of ordered) {
    const target =
      spec.method === 'DELETE'
        ? { sessionId: ACME_DOOMED }
        : /\/(messages|cancel)$/.test(spec.path)
          ? { sessionId: 'acme-new' }
          : { callId: 'mail-nobody' };
    const base = requestFor(spec, target);
    const request = spec.access === 'signed' ? { ...base, headers: {}, body: SLACK_CHALLENGE } : base;
    const credentials: [string, Record<string, string>][] =
      spec.access === 'public'
        ? [['no credentials', {}]]
        : spec.access === 'signed'
          ? [['a Slack signature', slackSigned(request)]]
          : [
              ['acme key', { authorization: `Bearer ${keys.acmeAll.key}` }],
              ...(spec.method === 'GET'
                ? [['acme JWT', { authorization: `Bearer ${acmeJwt}` }] as [string, Record<string, string>]]
                : []),
            ];
    for (const [name, headers] of credentials) {
      findings.cases++;
      const response = await host.send({ ...request, headers: { ...request.headers, ...headers } });
      // 404 is right for what the request names but does not exist: a call not waiting, an asset "x".
      const missing =
        response.status === 404 && (/\/approvals\//.test(spec.path) || request.path.endsWith('/x'));
      const ok =
        spec.access === 'signed'
          ? response.status !== 401 && response.status !== 403 && response.status < 500
          : spec.access === 'public' && spec.path !== '/healthz'
            ? response.status < 500
            : response.status < 300 || missing;
      if (!ok)
        findings.problems.push(
          `${label(spec)} with ${name}: got ${response.status} ${response.text.slice(0, 160)}`,
        );
      if (spec.method === 'GET' && spec.path === '/sessions' && ok) {
        if (!response.text.includes(ACME_WAITING) || response.text.includes(GLOBEX_OWN))
          findings.problems.push(
            `${label(spec)} with ${name}: not exactly acme's sessions: ${response.text.slice(0, 200)}`,
          );
      }
    }
  }
  return findings;
}

/** A request Slack would send to a signed route: url_verification, signed now with the suite's secret. */
function slackSigned(request: SuiteRequest): Record<string, string> {
  const body = request.body ?? '';
  const signed = signedSlackRequest(body, { secret: SLACK_SIGNING_SECRET, now: Date.now() });
  return signed.headers as Record<string, string>;
}
