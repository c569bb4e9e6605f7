import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hostileInputs, tamperedRecords } from './scenarios/bad-input/bad-input.js';
import { contention } from './scenarios/contention.js';
import { crashAnywhere } from './scenarios/crash-anywhere.js';
import { duplicates } from './scenarios/duplicates.js';
import { modelFaults } from './scenarios/model-faults.js';
import { type FaultVariant, storeFaults } from './scenarios/store-faults.js';
import { tenantIsolation } from './scenarios/tenant-isolation.js';
import { bundleChildren, type ChildBundle } from './support/child-process.js';
import { referenceRun } from './support/reference-run.js';
import { resultsTable } from './support/results-table.js';
import { openStore } from './support/store-spec.js';
import { StoreTargets } from './support/store-targets.js';

/**
 * The reliability suite: crashes, contention, duplicates, store and model faults, hostile input and
 * tenant isolation, on SQLite, DynamoDB Local and the Cosmos DB API server. Each scenario adds its
 * rows to one table, printed at the end; every lost, duplicate and corrupted cell must be 0.
 */
let bundle: ChildBundle;
const targets = new StoreTargets({
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  cosmosEndpoint: inject('cosmosEndpoint'),
  cosmosKey: inject('cosmosKey'),
});
const started = Date.now();
/** The fewest distinct cases each row may cover (the counts the table prints are asserted). */
const STORE_FAULT_CASES: Record<FaultVariant, number> = {
  'sqlite-busy': 3,
  'dynamodb-sdk-retries': 4,
  'dynamodb-no-sdk-retries': 4,
  'cosmos-http': 4,
};
/** Future schema, wrong shapes, unparsable JSON, previous schema; over HTTP and from a queue. */
const TAMPERED_CASES = 9;
/** The store, core routes, Lambda and Azure HTTP, SQS, Storage Queue, Slack. */
const TENANT_PROBES = 16;

beforeAll(async () => {
  [bundle] = await Promise.all([bundleChildren(), targets.prepare()]);
});

afterAll(async () => {
  bundle?.dispose();
  await targets.dispose();
  console.log(
    `\nreliability suite (${((Date.now() - started) / 1000).toFixed(1)} s)\n${resultsTable.render()}\n`,
  );
});

describe('crash anywhere', () => {
  it('ends with the uncrashed transcript when the run is killed at any commit or tool call on sqlite', async () => {
    const row = await crashAnywhere(bundle, targets, 'sqlite', { coverage: 'all', concurrency: 2 });
    expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
    // Before and after every commit of the 20-step run, and inside every tool call.
    expect(row.cases).toBeGreaterThanOrEqual(60);
  }, 600_000);

  for (const kind of ['dynamodb', 'cosmos'] as const) {
    it(`ends with the uncrashed transcript when the run is killed at a sample of commits and tool calls on ${kind}`, async () => {
      const row = await crashAnywhere(bundle, targets, kind, { coverage: 'sample', concurrency: 4 });
      expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
      expect(row.cases).toBeGreaterThanOrEqual(12);
    }, 600_000);
  }
});

describe('contention', () => {
  for (const kind of ['sqlite', 'dynamodb', 'cosmos'] as const) {
    it(`processes each of 50 inputs once when 10 processes contend and leases are taken over on ${kind}`, async () => {
      const row = await contention(bundle, targets, kind);
      expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0, cases: 50 });
    }, 180_000);
  }
});

describe('duplicates', () => {
  for (const kind of ['sqlite', 'dynamodb', 'cosmos'] as const) {
    it(`gives one effect and the same answer when every trigger is delivered four times on ${kind}`, async () => {
      const store = await openStore(targets.spec(kind, 'in-process'), { clock: { now: () => Date.now() } });
      try {
        const row = await duplicates(store, kind, targets.run);
        // HTTP Idempotency-Key, SQS, Storage Queue, Slack event_id.
        expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0, cases: 4 });
      } finally {
        await store.close?.();
      }
    }, 120_000);
  }
});

describe('store faults', () => {
  const variants: FaultVariant[] = [
    'sqlite-busy',
    'dynamodb-sdk-retries',
    'dynamodb-no-sdk-retries',
    'cosmos-http',
  ];
  for (const variant of variants) {
    it(`completes every run without duplicate, lost or reordered events when ${variant} calls fail`, async () => {
      const row = await storeFaults(targets, variant, await referenceRun());
      expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
      // Operation x failure x before/after the write (seeded: 6, 9, 12 and 15 when last counted).
      expect(row.cases).toBeGreaterThanOrEqual(STORE_FAULT_CASES[variant]);
    }, 120_000);
  }
});

describe('model faults', () => {
  for (const kind of ['sqlite', 'dynamodb', 'cosmos'] as const) {
    it(`finishes every run uncorrupted when the model throttles, fails, hangs and answers garbage on ${kind}`, async () => {
      const store = await openStore(targets.spec(kind, 'model-faults'), { clock: { now: () => Date.now() } });
      try {
        const row = await modelFaults(store, kind, targets.run);
        // 429, 500, 503, 400, a hang, a cut stream, garbled JSON, no choices.
        expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0, cases: 8 });
      } finally {
        await store.close?.();
      }
    }, 120_000);
  }
});

describe('bad input', () => {
  it('answers with a specific error and changes nothing when requests, messages and events are hostile', async () => {
    const store = await openStore(targets.spec('sqlite', 'corpus'), { clock: { now: () => Date.now() } });
    try {
      const row = await hostileInputs(store);
      expect(row.cases).toBeGreaterThanOrEqual(121);
      expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
    } finally {
      await store.close?.();
    }
  }, 120_000);

  for (const kind of ['sqlite', 'dynamodb', 'cosmos'] as const) {
    it(`answers with a specific error a retry cannot fix when records are tampered with in ${kind}`, async () => {
      const spec = targets.spec(kind, 'tampered');
      const store = await openStore(spec, { clock: { now: () => Date.now() } });
      try {
        const row = await tamperedRecords(spec, store, targets.run);
        expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
        expect(row.cases).toBeGreaterThanOrEqual(TAMPERED_CASES);
      } finally {
        await store.close?.();
      }
    }, 60_000);
  }
});

describe('tenant isolation', () => {
  for (const kind of ['sqlite', 'dynamodb', 'cosmos'] as const) {
    it(`finds nothing when another tenant asks for a session at any entry point on ${kind}`, async () => {
      const store = await openStore(targets.spec(kind, 'isolation'), { clock: { now: () => Date.now() } });
      try {
        const row = await tenantIsolation(store, kind, targets.run);
        expect(row).toMatchObject({ lost: 0, duplicates: 0, corrupted: 0 });
        expect(row.cases).toBeGreaterThanOrEqual(TENANT_PROBES);
      } finally {
        await store.close?.();
      }
    }, 60_000);
  }
});
