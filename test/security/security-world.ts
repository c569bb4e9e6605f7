import {
  type ApiKeyRecord,
  type AuthConfig,
  apiKeys,
  type BatonApp,
  type BatonDefinition,
  defineAgent,
  defineBaton,
  defineTool,
  generateApiKey,
  jwt,
  type Scope,
  type SessionStore,
} from '@baton/core';
import { slack } from '@baton/slack';
import { vi } from 'vitest';
import { z } from 'zod';
import { callTools, reply, ScriptedModel } from '../../packages/testing/src/scripted-model.js';
import { AUDIENCE, type IdentityProvider, ISSUER } from './jwks.js';

/** Sessions the suite protects and the call acme's waiting session asks a person to approve. */
export const ACME_WAITING = 'acme-waiting';
export const ACME_DOOMED = 'acme-doomed';
export const GLOBEX_OWN = 'globex-own';
export const PENDING_CALL = 'mail-ana';
/** In acme's waiting session only: a response to anyone else that holds it leaks acme's data. */
export const ACME_MARKER = 'ACME-SECRET-7731';
export const SLACK_SIGNING_SECRET = 'security-suite-signing-secret';

/** The app every host of the suite serves: API keys first, then JWTs from the suite's issuer. */
export function securityDefinition(idp: IdentityProvider): BatonDefinition {
  const model = new ScriptedModel((request) => {
    const last = request.messages.at(-1);
    const email = last?.role === 'user' ? /^email (\w+)/.exec(last.content) : null;
    if (email)
      return callTools([{ name: 'send_email', args: { to: email[1]! }, callId: `mail-${email[1]}` }]);
    return reply('ok');
  });
  const sendEmail = defineTool({
    name: 'send_email',
    description: 'Sends an email once a person approved it',
    parameters: z.object({ to: z.string() }),
    needsApproval: true,
    execute: ({ to }) => ({ sent: to }),
  });
  const auth: AuthConfig = [
    apiKeys(),
    jwt({ jwksUrl: idp.jwksUrl, issuer: ISSUER, audience: AUDIENCE, tenantClaim: 'tenant' }),
  ];
  return defineBaton({
    agents: [
      defineAgent({
        name: 'guarded',
        instructions: 'Send emails when asked.',
        model,
        tools: [sendEmail],
        limits: { compactAfterEvents: 0 },
        // The scripted model answers at once: a small reserve lets the cloud hosts' 20 s request
        // budget run a turn inline instead of following the log until the budget runs out.
        timing: { modelCallMs: 2_000 },
      }),
    ],
    channels: [slack()],
    auth,
  });
}

/** Settings every host gets: Slack configured (its routes are `signed`), its API on a closed local port. */
export function securityEnv(idp: IdentityProvider): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-security-suite',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    BATON_JWT_JWKS_URL: idp.jwksUrl,
    BATON_JWT_ISSUER: ISSUER,
    BATON_JWT_AUDIENCE: AUDIENCE,
    BATON_JWT_TENANT_CLAIM: 'tenant',
  };
}

/** One key as the suite holds it: the text a caller sends and the record the store holds. */
export interface HeldKey {
  key: string;
  record: ApiKeyRecord;
}

export interface SuiteKeys {
  acmeAll: HeldKey;
  acmeReadOnly: HeldKey;
  /** send and read: no approve, no admin. */
  acmeNoApprove: HeldKey;
  /** send only: no read. */
  acmeSendOnly: HeldKey;
  globex: HeldKey;
  acmeRevoked: HeldKey;
}

/** The suite's keys, created in the host's store as `baton keys create` would. */
export async function createKeys(store: SessionStore): Promise<SuiteKeys> {
  const keys = store.apiKeys;
  if (!keys) throw new Error('the store has no apiKeys: API keys are missing from this store');
  const clock = { now: () => Date.now() };
  const make = async (tenant: string, scopes: Scope[] | undefined, name: string) => {
    const made = generateApiKey({ tenant, name, ...(scopes ? { scopes } : {}) }, clock);
    await keys.createApiKey(made.record);
    return made;
  };
  const made: SuiteKeys = {
    acmeAll: await make('acme', ['send', 'read', 'approve', 'admin'], 'acme-all'),
    acmeReadOnly: await make('acme', ['read'], 'acme-read-only'),
    acmeNoApprove: await make('acme', ['send', 'read'], 'acme-no-approve'),
    acmeSendOnly: await make('acme', ['send'], 'acme-send-only'),
    globex: await make('globex', ['send', 'read', 'approve', 'admin'], 'globex'),
    acmeRevoked: await make('acme', ['send', 'read', 'approve', 'admin'], 'acme-revoked'),
  };
  await keys.revokeApiKey(made.acmeRevoked.record.keyId, Date.now());
  return made;
}

/** acme's session waiting for approval of PENDING_CALL, acme's session to delete, globex's own. */
export async function seedSessions(app: BatonApp): Promise<void> {
  const baton = app.baton;
  // Long enough for any host's model-call reserve: a seed run must reach its end, not continue later.
  const deadline = () => Date.now() + 15 * 60_000;
  const seed = async (tenant: string, sessionId: string, text: string) => {
    const ref = { tenant, sessionId };
    await baton.submit(ref, { text, source: 'security-suite' });
    await baton.run(ref, { deadline: deadline() });
    // The local host's worker may have taken the run first ("busy"): wait, bounded, for its end.
    await vi.waitFor(
      async () => {
        const head = await baton.store.readHead(ref);
        if (head?.status !== 'waiting_approval' && head?.status !== 'idle')
          throw new Error(`seeding ${tenant}/${sessionId} left it ${head?.status}`);
      },
      { timeout: 30_000, interval: 20 },
    );
  };
  await seed('acme', ACME_WAITING, `email ana ${ACME_MARKER}`);
  await seed('acme', ACME_DOOMED, 'hello');
  await seed('globex', GLOBEX_OWN, 'hello from globex');
}

/**
 * Everything a reader can see in a store: every session of every tenant (heads and logs) and every
 * API key record (or one tenant's), in a stable order. Two equal snapshots mean a request changed nothing.
 */
export async function storeSnapshot(store: SessionStore, tenant?: string): Promise<string> {
  const heads = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({
      limit: 500,
      ...(tenant ? { tenant } : {}),
      ...(cursor ? { cursor } : {}),
    });
    heads.push(...page.sessions);
    cursor = page.cursor;
  } while (cursor);
  heads.sort((a, b) => `${a.tenant}/${a.sessionId}`.localeCompare(`${b.tenant}/${b.sessionId}`));
  const sessions = [];
  for (const head of heads) {
    const ref = { tenant: head.tenant, sessionId: head.sessionId };
    sessions.push({ head: await store.readHead(ref), events: await store.readEvents(ref) });
  }
  const keys = (await store.apiKeys?.listApiKeys(tenant ? { tenant } : {})) ?? 'no apiKeys in this store';
  return JSON.stringify({ sessions, keys });
}
