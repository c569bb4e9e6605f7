import { type ApiKeyRecord, type ApiKeyStore, ConflictError, type Head } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createSession, input, listAll, rejection } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

/**
 * Names a store might use for the records that hold keys, or that its key encoding might produce:
 * sessions with these tenants and ids must stay sessions, and deleting them must leave keys alone.
 */
const KEY_LIKE_NAMES = [
  'apikeys',
  'apikey',
  'apikey#x',
  'apikeys#',
  '__keys',
  'K',
  'k.',
  'key',
  '["apikeys"]',
];

/** Ids that collide under common encodings (URL encoding, Cosmos's banned id characters, case folding). */
const ODD_KEY_IDS = ['a/b', 'a%2Fb', 'a\\b', 'a#b', 'a%23b', 'a?b', 'A/B', 'a b', '🔑/ü'];

/** Sorted as `listApiKeys` promises: createdAt, then keyId. */
function ordered(records: readonly ApiKeyRecord[]): ApiKeyRecord[] {
  return [...records].sort(
    (a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0),
  );
}

export function describeApiKeyCases(ctx: ConformanceContext): void {
  function keys(): ApiKeyStore {
    const store = ctx.store();
    if (!store.apiKeys) throw new Error(`the ${store.name} store has no apiKeys`);
    return store.apiKeys;
  }

  /** A record with a keyId no other test uses (unless `keyId` is given), in `tenant`. */
  function record(tenant: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
    return {
      keyId: ctx.tenant('key'),
      tenant,
      scopes: ['send', 'read', 'approve'],
      name: 'ci',
      secretHash: 'a'.repeat(64),
      createdAt: ctx.clock.now(),
      ...extra,
    };
  }

  /** The keys of these tenants only: other tests share the store. */
  async function listedIn(tenants: readonly string[]): Promise<ApiKeyRecord[]> {
    const all = await keys().listApiKeys();
    expect(all).toEqual(ordered(all));
    return all.filter((key) => tenants.includes(key.tenant));
  }

  describe('api keys', () => {
    it('reads back a created key exactly, optional fields present and absent', async () => {
      const tenant = ctx.tenant('keys-roundtrip');
      const full = record(tenant, {
        scopes: ['admin', 'read'],
        name: 'slack-bridge ✓',
        revokedAt: undefined,
      });
      delete full.revokedAt;
      const bare = record(tenant, { scopes: [] });
      delete bare.name;

      await keys().createApiKey(full);
      await keys().createApiKey(bare);

      expect(await keys().getApiKey(full.keyId)).toStrictEqual(full);
      expect(await keys().getApiKey(bare.keyId)).toStrictEqual(bare);
    });

    it('refuses a keyId that exists with ConflictError and keeps the first record', async () => {
      const first = record(ctx.tenant('keys-dup-a'));
      await keys().createApiKey(first);
      await keys().revokeApiKey(first.keyId, first.createdAt + 5);

      const second = record(ctx.tenant('keys-dup-b'), {
        keyId: first.keyId,
        scopes: ['admin'],
        secretHash: 'b'.repeat(64),
      });
      await rejection(keys().createApiKey(second), ConflictError);

      expect(await keys().getApiKey(first.keyId)).toStrictEqual({ ...first, revokedAt: first.createdAt + 5 });
      expect(await keys().listApiKeys({ tenant: second.tenant })).toEqual([]);
    });

    it('returns null for a keyId never created, and for one differing only in case or a prefix', async () => {
      const known = record(ctx.tenant('keys-unknown'), { keyId: `${ctx.tenant('k')}abc` });
      await keys().createApiKey(known);

      expect(await keys().getApiKey(ctx.tenant('never'))).toBeNull();
      expect(await keys().getApiKey(known.keyId.toUpperCase())).toBeNull();
      expect(await keys().getApiKey(known.keyId.slice(0, -1))).toBeNull();
      expect(await keys().getApiKey(`${known.keyId}x`)).toBeNull();
    });

    it('keeps keyIds apart that collide under common encodings', async () => {
      const tenant = ctx.tenant('keys-odd');
      const prefix = ctx.tenant('odd');
      const created = ODD_KEY_IDS.map((id, index) =>
        record(tenant, { keyId: `${prefix}${id}`, createdAt: 1000 + index }),
      );
      for (const key of created) await keys().createApiKey(key);

      for (const key of created) expect(await keys().getApiKey(key.keyId)).toStrictEqual(key);
      expect(await keys().listApiKeys({ tenant })).toEqual(created);
    });

    it('lists one tenant or every tenant by createdAt then keyId, revoked keys included', async () => {
      const [a, b] = [ctx.tenant('keys-list-a'), ctx.tenant('keys-list-b')];
      const at = ctx.clock.now();
      // Created out of order, with ties on createdAt broken by keyId.
      const created = [
        record(a, { keyId: `${a}-3`, createdAt: at + 2 }),
        record(b, { keyId: `${b}-1`, createdAt: at + 1 }),
        record(a, { keyId: `${a}-2`, createdAt: at + 1 }),
        record(a, { keyId: `${a}-1`, createdAt: at + 1 }),
        record(b, { keyId: `${b}-0`, createdAt: at }),
      ];
      for (const key of created) await keys().createApiKey(key);
      const revoked = await keys().revokeApiKey(`${a}-2`, at + 9);
      const expected = ordered(created.map((key) => (key.keyId === `${a}-2` ? revoked! : key)));

      expect(revoked).toStrictEqual({ ...created[2], revokedAt: at + 9 });
      expect(await keys().listApiKeys({ tenant: a })).toEqual(expected.filter((key) => key.tenant === a));
      expect(await keys().listApiKeys({ tenant: b })).toEqual(expected.filter((key) => key.tenant === b));
      expect(await listedIn([a, b])).toEqual(expected);
      expect(await keys().listApiKeys({ tenant: ctx.tenant('keys-none') })).toEqual([]);
    });

    it('keeps the first revokedAt when a key is revoked twice', async () => {
      const key = record(ctx.tenant('keys-revoke'));
      await keys().createApiKey(key);

      const first = await keys().revokeApiKey(key.keyId, key.createdAt + 10);
      const again = await keys().revokeApiKey(key.keyId, key.createdAt + 99);
      const earlier = await keys().revokeApiKey(key.keyId, key.createdAt + 1);

      for (const answer of [first, again, earlier]) {
        expect(answer).toStrictEqual({ ...key, revokedAt: key.createdAt + 10 });
      }
      expect(await keys().getApiKey(key.keyId)).toStrictEqual({ ...key, revokedAt: key.createdAt + 10 });
    });

    it('lets exactly one of 8 concurrent creators of a keyId win, and stores the winner', async () => {
      const keyId = ctx.tenant('keys-race');
      const contenders = Array.from({ length: 8 }, (_, index) =>
        record(ctx.tenant(`keys-race-${index}`), { keyId, secretHash: String(index).repeat(64) }),
      );

      const outcomes = await Promise.allSettled(contenders.map((key) => keys().createApiKey(key)));

      const won = outcomes.flatMap((outcome, index) =>
        outcome.status === 'fulfilled' ? [contenders[index]!] : [],
      );
      expect(won).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConflictError);
      }
      expect(await keys().getApiKey(keyId)).toStrictEqual(won[0]);
    });

    it('answers every one of 8 concurrent revokes with the one revokedAt that landed', async () => {
      const key = record(ctx.tenant('keys-revoke-race'));
      await keys().createApiKey(key);
      const times = Array.from({ length: 8 }, (_, index) => key.createdAt + 100 + index);

      const answers = await Promise.all(times.map((at) => keys().revokeApiKey(key.keyId, at)));

      const landed = answers[0]!.revokedAt!;
      expect(times).toContain(landed);
      for (const answer of answers) expect(answer).toStrictEqual({ ...key, revokedAt: landed });
      expect(await keys().getApiKey(key.keyId)).toStrictEqual({ ...key, revokedAt: landed });
    });

    it('returns null when revoking an unknown key and creates nothing', async () => {
      const keyId = ctx.tenant('keys-revoke-unknown');

      expect(await keys().revokeApiKey(keyId, ctx.clock.now())).toBeNull();
      expect(await keys().getApiKey(keyId)).toBeNull();
      expect((await keys().listApiKeys()).map((key) => key.keyId)).not.toContain(keyId);
    });

    it('never shows keys as sessions, and deleting sessions named like key records leaves keys alone', async () => {
      const store = ctx.store();
      const keyTenant = ctx.tenant('keys-hidden');
      const key = record(keyTenant);
      await keys().createApiKey(key);
      // Keys named like a store's key records too: the harness gives the suite a fresh namespace.
      const named = KEY_LIKE_NAMES.map((keyId, index) => record(keyTenant, { keyId, createdAt: index }));
      for (const one of named) await keys().createApiKey(one);
      // Sessions in tenants and with ids a store might use for its key records.
      const refs = KEY_LIKE_NAMES.flatMap((name) => [
        { tenant: name, sessionId: name },
        { tenant: name, sessionId: key.keyId },
        { tenant: keyTenant, sessionId: name },
      ]);
      const heads: Head[] = [];
      for (const ref of refs) {
        await store.delete(ref); // left by an earlier run on a shared emulator, if any
        heads.push(
          (await createSession(store, ref, ctx.clock, [input('hi')], { patch: { status: 'running' } })).head,
        );
      }

      expect(await listAll(store, { tenant: keyTenant, limit: 7 })).toHaveLength(KEY_LIKE_NAMES.length);
      for (const head of await listAll(store, { limit: 50 })) expect(head).toHaveProperty('sessionId');
      const pending = await listAllPending(ctx);
      for (const head of pending) expect(head).toHaveProperty('sessionId');
      expect(pending.filter((head) => refs.some((ref) => sameRef(ref, head)))).toHaveLength(refs.length);

      for (const ref of refs) await store.delete(ref);

      for (const one of [key, ...named]) expect(await keys().getApiKey(one.keyId)).toStrictEqual(one);
      expect(await keys().listApiKeys({ tenant: keyTenant })).toEqual(ordered([key, ...named]));
      for (const ref of refs) expect(await store.readHead(ref)).toBeNull();
    });

    it('keeps a session whose id equals a keyId independent of the key', async () => {
      const store = ctx.store();
      const key = record(ctx.tenant('keys-twin'));
      const ref = { tenant: key.tenant, sessionId: key.keyId };
      await keys().createApiKey(key);
      const session = await createSession(store, ref, ctx.clock, [input('twin')]);

      await keys().revokeApiKey(key.keyId, key.createdAt + 1);
      expect(await store.load(ref)).toEqual(session);
      await store.delete(ref);

      expect(await keys().getApiKey(key.keyId)).toStrictEqual({ ...key, revokedAt: key.createdAt + 1 });
      await createSession(store, ref, ctx.clock, [input('again')]);
      expect(await keys().listApiKeys({ tenant: key.tenant })).toEqual([
        { ...key, revokedAt: key.createdAt + 1 },
      ]);
    });

    it('lists 120 keys completely, over 1 MB in all, across the pages of backends that page', async () => {
      const tenant = ctx.tenant('keys-many');
      const other = ctx.tenant('keys-many-other');
      const at = ctx.clock.now();
      // 9 KB names: 120 keys pass DynamoDB's 1 MB page and Cosmos DB's 100 items a page.
      const created = Array.from({ length: 120 }, (_, index) =>
        record(tenant, {
          keyId: `${tenant}-${String(index).padStart(3, '0')}`,
          createdAt: at + (index % 7),
          name: `${index}`.padEnd(9000, '.'),
        }),
      );
      for (const key of created) await keys().createApiKey(key);
      await keys().createApiKey(record(other));

      expect(await keys().listApiKeys({ tenant })).toEqual(ordered(created));
      expect(await listedIn([tenant])).toEqual(ordered(created));
    });
  });
}

function sameRef(ref: { tenant: string; sessionId: string }, head: Head): boolean {
  return ref.tenant === head.tenant && ref.sessionId === head.sessionId;
}

async function listAllPending(ctx: ConformanceContext): Promise<Head[]> {
  const heads: Head[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await ctx.store().listPending({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    heads.push(...result.sessions);
    if (result.cursor === undefined) return heads;
    cursor = result.cursor;
  }
  throw new Error('listPending returned a cursor on 1000 pages in a row');
}
