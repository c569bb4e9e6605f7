import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import { mismatchesOf, useBundleDir } from './aws-recording.js';
import { bundleFolder, INFRA_DIR, mismatchedCopy, removeCopies } from './infra-copy.js';

const QUEUE_VISIBILITY = '`${workerTimeout + QUEUE_VISIBILITY_MARGIN_SECONDS} seconds`';

describe("infra/aws.ts: a dead worker's records come back within a minute", () => {
  let facts: AwsFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    const bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
    useBundleDir(bundleDir);
    facts = await awsFacts(bundleDir);
  });

  it('reports a visibility timeout that does not exceed the worker timeout when a copy shortens it', async () => {
    const dir = mismatchedCopy('aws.ts', QUEUE_VISIBILITY, '`${workerTimeout} seconds`');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the run queue's visibility timeout (300 s) does not exceed the worker's timeout (300 s)",
    );
  });

  it("reports the old six times the worker's timeout when a copy goes back to it", async () => {
    const dir = mismatchedCopy('aws.ts', QUEUE_VISIBILITY, '`${6 * workerTimeout} seconds`');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the run queue's visibility timeout (1800 s) hides a record whose worker died before its first beat for more than 120 s past the worker's timeout (300 s)",
    );
  });

  it('reports a worker beat longer than 45 s when a copy tells the worker so', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'WORKER_VISIBILITY_SECONDS = 30;',
      'WORKER_VISIBILITY_SECONDS = 300;',
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the worker's BATON_VISIBILITY_SECONDS is not 1 to 45: a dead worker's records would not be back within a minute",
    );
  });

  it('reports a worker told no beat length when a copy stops setting it', async () => {
    const dir = mismatchedCopy('aws.ts', 'BATON_VISIBILITY_SECONDS: String(WORKER_VISIBILITY_SECONDS),', '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the worker's BATON_VISIBILITY_SECONDS is not 1 to 45: a dead worker's records would not be back within a minute",
    );
  });
});
