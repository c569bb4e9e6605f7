import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFacts, awsFacts, awsMismatches, deployedFunctions, entrySource } from './aws-contract.js';
import { everySetting, INFRA_DIR, mismatchedCopy, removeCopies, settingsOf } from './infra-copy.js';
import { type Recording, recordInfra, referencePath } from './recording.js';

/** Records infra/aws.ts of `dir` with every optional setting present in the deploy environment. */
async function recordAws(dir: string, env?: Record<string, string>): Promise<Recording> {
  const settings = await settingsOf(dir);
  const deployEnv = env ?? everySetting([...settings.MODEL_SETTINGS, ...settings.AWS_TUNING]);
  return recordInfra(join(dir, 'aws.ts'), 'deployAws', (secrets) => ({ secrets, env: deployEnv }));
}

async function mismatchesOf(dir: string, facts: AwsFacts): Promise<string[]> {
  const { AWS_LEFT_UNSET } = await settingsOf(dir);
  return awsMismatches(await recordAws(dir), facts, AWS_LEFT_UNSET);
}

/**
 * The declared environment with references replaced by sample values: queue URLs by a well-formed
 * one, secrets by the empty string a stage has before `sst secret set`, the rest by a name.
 */
function sampleValues(environment: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((environment as Record<string, unknown>) ?? {}).map(([name, value]) => {
      const path = referencePath(value) ?? '';
      if (path.endsWith('.url')) return [name, 'https://sqs.eu-west-1.amazonaws.com/000000000000/sample'];
      if (path.endsWith('.value')) return [name, ''];
      return [name, path ? 'sample' : String(value)];
    }),
  );
}

/** Runs `load` with `values` in process.env (plus the region the Lambda runtime sets), then restores it. */
async function withEnvironment<T>(values: Record<string, string>, load: () => Promise<T>): Promise<T> {
  const all = { AWS_REGION: 'eu-west-1', ...values };
  const previous = Object.fromEntries(Object.keys(all).map((name) => [name, process.env[name]]));
  Object.assign(process.env, all);
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('infra/aws.ts', () => {
  let facts: AwsFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    facts = await awsFacts();
  });

  it('agrees with the handlers, the store and the queue adapter when evaluated as written', async () => {
    expect(await mismatchesOf(INFRA_DIR, facts)).toEqual([]);
  });

  it('starts every deployed handler with the environment infra declares and finds its export a function', async () => {
    const functions = deployedFunctions(await recordAws(INFRA_DIR, {}), facts);
    expect(functions.map((fn) => fn.entry).sort()).toEqual([...facts.entries].sort());
    for (const fn of functions) {
      const exported = String(fn.args.handler).split('.')[1] ?? '';
      const module = await withEnvironment(
        sampleValues(fn.args.environment),
        () => import(pathToFileURL(entrySource(fn.entry ?? '')).href),
      );
      expect(typeof (module as Record<string, unknown>)[exported], fn.label).toBe('function');
    }
  });

  it('reports the worker when a copy points its handler at a bundle the build does not write', async () => {
    const dir = mismatchedCopy('aws.ts', "...bundle('worker')", "...bundle('jobs' as 'worker')");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      expect.stringMatching(
        /Runs subscriber: bundle dist\/aws\/jobs .* is not a file npm run build:aws writes/,
      ),
    );
  });

  it('reports a handler export the entry does not have when a copy renames it', async () => {
    const dir = mismatchedCopy('aws.ts', "handler: 'index.handler'", "handler: 'index.main'");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      expect.stringMatching(/packages\/aws\/src\/entry\/http\.ts exports no "main"/),
    );
  });

  it('reports the sweeper when the build stops writing its bundle and infra still deploys it', async () => {
    const withoutSweeper: AwsFacts = {
      ...facts,
      entries: facts.entries.filter((entry) => entry !== 'sweeper'),
    };
    expect(await mismatchesOf(INFRA_DIR, withoutSweeper)).toContainEqual(
      expect.stringMatching(
        /^Cron Sweep: bundle dist\/aws\/sweeper .* is not a file npm run build:aws writes/,
      ),
    );
  });

  it('reports the hash key when a copy of infra renames it', async () => {
    const dir = mismatchedCopy('aws.ts', "primaryIndex: { hashKey: 'pk'", "primaryIndex: { hashKey: 'id'");
    expect(await mismatchesOf(dir, facts)).toContainEqual("table hash key id is not the store's pk");
  });

  it('reports the range key when the store renames it and infra does not follow', async () => {
    const renamed: AwsFacts = {
      ...facts,
      table: {
        ...facts.table,
        keySchema: facts.table.keySchema.map((key) =>
          key.KeyType === 'RANGE' ? { ...key, AttributeName: 'sortKey' } : key,
        ),
      },
    };
    expect(await mismatchesOf(INFRA_DIR, renamed)).toContainEqual(
      "table range key sk is not the store's sortKey",
    );
  });

  it('reports the TTL attribute when a copy names another one', async () => {
    const dir = mismatchedCopy('aws.ts', "ttl: 'expiresAt'", "ttl: 'ttl'");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "table TTL attribute ttl is not the store's expiresAt",
    );
  });

  it('reports a variable the handlers read when a copy stops setting it', async () => {
    const dir = mismatchedCopy('aws.ts', 'BATON_DLQ_URL: deadLetters.url,', '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: the http handler reads BATON_DLQ_URL, which is neither set nor left unset on purpose',
    );
  });

  it('reports a linked resource the handler reads when infra does not link it', async () => {
    const reading: AwsFacts = { ...facts, resourceReads: new Map([['worker', new Set(['Archive'])]]) };
    expect(await mismatchesOf(INFRA_DIR, reading)).toContainEqual(
      'Runs subscriber: the worker handler reads Resource.Archive, which is not linked',
    );
  });

  it('reports a visibility timeout that does not exceed the worker timeout when a copy shortens it', async () => {
    const dir = mismatchedCopy('aws.ts', '6 * WORKER_TIMEOUT_SECONDS', 'WORKER_TIMEOUT_SECONDS');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the run queue's visibility timeout (300 s) does not exceed the worker's timeout (300 s)",
    );
  });

  it('reports missing partial batch responses when a copy turns them off', async () => {
    const dir = mismatchedCopy('aws.ts', 'partialResponses: true', 'partialResponses: false');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the worker subscription has no partial batch responses: its batchItemFailures would be ignored',
    );
  });

  it('reports a route the HTTP handler does not serve when a copy adds one', async () => {
    const dir = mismatchedCopy('aws.ts', "'GET /healthz',", "'GET /healthz',\n  'GET /status',");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'route GET /status is not one the HTTP handler serves',
    );
  });
});
