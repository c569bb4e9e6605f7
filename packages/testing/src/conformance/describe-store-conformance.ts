import { randomUUID } from 'node:crypto';
import type { SessionStore } from '@baton/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { ManualClock } from '../manual-clock.js';
import { describeApiKeyCases } from './api-key-cases.js';
import { describeCommitCases } from './commit-cases.js';
import { describeConcurrencyCases } from './concurrency-cases.js';
import { describeConflictCases } from './conflict-cases.js';
import { describeDeleteCases } from './delete-cases.js';
import { describeIdentityCases } from './identity-cases.js';
import { describeIncarnationCases } from './incarnation-cases.js';
import { describeLeaseCases } from './lease-cases.js';
import { describeListCases } from './list-cases.js';
import { describeLiveCases } from './live-cases.js';
import { describePendingCases } from './pending-cases.js';
import { describeRetentionCases } from './retention-cases.js';
import { describeSchemaCases } from './schema-cases.js';
import { describeSizeCases } from './size-cases.js';
import type { ConformanceContext, StoreHarness } from './store-harness.js';
import { describeWriteCountCases } from './write-count-cases.js';

/**
 * Declares the store conformance suite: the definition of a correct SessionStore. Every backend
 * runs it unchanged; one store serves the whole suite, and each test works on sessions of its own.
 *
 * @example
 * describeStoreConformance('sqlite', {
 *   create: async () => new SqliteStore({ path: join(dir, 'store.db') }),
 *   writeRaw: async (store, fixture) => writeRawRows(store, fixture),
 * });
 */
export function describeStoreConformance(name: string, harness: StoreHarness): void {
  describe(`store conformance: ${name}`, () => {
    // Starts at the real time: emulators purge by wall-clock TTL (DynamoDB Local within seconds), so
    // records stamped with an old fixed date could vanish mid-suite. Tests only move it forward.
    const clock = new ManualClock(Date.now());
    // Names are unique per run too, which helps when several runs share one emulator.
    const run = randomUUID().slice(0, 8);
    const defaultTenant = `conformance-${run}`;
    let counter = 0;
    let current: SessionStore | undefined;

    const ctx: ConformanceContext = {
      harness,
      clock,
      store() {
        if (!current) throw new Error('the store is created in beforeAll: call ctx.store() inside a test');
        return current;
      },
      ref(label, tenant = defaultTenant) {
        counter += 1;
        return { tenant, sessionId: `${label}-${counter}` };
      },
      tenant(label) {
        counter += 1;
        return `t-${run}-${label}-${counter}`;
      },
    };

    beforeAll(async () => {
      current = await harness.create({ clock });
    });
    afterAll(async () => {
      if (!current) return;
      if (harness.destroy) await harness.destroy(current);
      else await current.close?.();
    });

    describeCommitCases(ctx);
    describeConflictCases(ctx);
    describeLeaseCases(ctx);
    describeConcurrencyCases(ctx);
    describeSizeCases(ctx);
    describeIdentityCases(ctx);
    describeListCases(ctx);
    describePendingCases(ctx);
    describeDeleteCases(ctx);
    describeIncarnationCases(ctx);
    describeApiKeyCases(ctx);
    describeLiveCases(ctx);
    describeRetentionCases(ctx);
    describeWriteCountCases(ctx);
    // Last, so records of a future schema version exist only once every other case has listed.
    describeSchemaCases(ctx);
  });
}
