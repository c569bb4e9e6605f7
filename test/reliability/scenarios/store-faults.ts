import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { createBaton, type SessionEvent, type SessionStore, silentLogger } from '@baton/core';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { expect } from 'vitest';
import {
  type FaultPlan,
  faultyCosmosHttpClient,
  faultyStore,
  injectDynamoFaults,
} from '../../../packages/testing/src/faults/index.js';
import { ManualClock } from '../../../packages/testing/src/manual-clock.js';
import { ExecutionCounter, reliabilityAgent } from '../agent/reliability-agent.js';
import { AT_MOST_ONCE_TOOLS } from '../agent/reliability-tools.js';
import { driveToEnd } from '../agent/session-driver.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { openStore, type StoreKind } from '../support/store-spec.js';
import type { StoreTargets } from '../support/store-targets.js';
import { auditSession, batchOrder, transcript, withUnknownOutcomes } from '../support/transcript.js';

export type FaultVariant = 'sqlite-busy' | 'dynamodb-sdk-retries' | 'dynamodb-no-sdk-retries' | 'cosmos-http';

const RATE = 0.12;
const SESSIONS = 3;

/** Opens the variant's store with its client-level injector; the plan logs every injected fault. */
async function faultyTarget(
  targets: StoreTargets,
  variant: FaultVariant,
  seed: number,
  clock: ManualClock,
): Promise<{ store: SessionStore; plan: FaultPlan }> {
  const kind: StoreKind = variant.startsWith('dynamodb')
    ? 'dynamodb'
    : variant === 'cosmos-http'
      ? 'cosmos'
      : 'sqlite';
  if (kind === 'sqlite')
    return faultyStore(await openStore(targets.spec(kind, `faults-${seed}`), { clock }), {
      rate: RATE,
      seed,
    });
  if (kind === 'cosmos') {
    const { httpClient, plan } = faultyCosmosHttpClient(createDefaultHttpClient(), { rate: RATE, seed });
    return {
      store: await openStore(targets.spec(kind, 'faults'), { clock, cosmosHttpClient: httpClient }),
      plan,
    };
  }
  let plan: FaultPlan | undefined;
  const spec = targets.spec(kind, 'faults');
  // Without the SDK's retries every fault reaches core, as the last of the SDK's attempts would.
  if (spec.kind === 'dynamodb' && variant === 'dynamodb-no-sdk-retries') spec.maxAttempts = 1;
  const store = await openStore(spec, {
    clock,
    onDynamoClient: (client) => {
      // The SDK's own retries, with millisecond backoff so the suite does not sleep.
      if (variant === 'dynamodb-sdk-retries')
        client.config.retryStrategy = async () => new ConfiguredRetryStrategy(3, () => 5);
      plan = injectDynamoFaults(client, { rate: RATE, seed });
    },
  });
  return { store, plan: plan! };
}

/**
 * The 20-step run on a store whose client fails a share of its calls with the cloud's own errors,
 * before the request or after the write landed: retried the way a queue redelivers, every run
 * completes with the uncrashed transcript, except at-most-once calls whose result a fault cut off,
 * which read as unknown outcomes; nothing is duplicated, lost or reordered.
 */
export async function storeFaults(
  targets: StoreTargets,
  variant: FaultVariant,
  reference: SessionEvent[],
): Promise<ResultRow> {
  const expected = batchOrder(transcript(reference));
  const expectedState = stateOf(reference);
  const row: ResultRow = {
    store: variant.split('-')[0]!,
    scenario: `store faults (${variant})`,
    runs: 0,
    cases: 0,
    faults: 0,
    lost: 0,
    duplicates: 0,
    corrupted: 0,
  };
  const problems: string[] = [];
  let unknown = 0;
  // Distinct operation x failure x timing combinations injected, over every seed.
  const cases = new Set<string>();
  let retries = 0;
  for (let seed = 1; seed <= SESSIONS; seed++) {
    const clock = new ManualClock(Date.now());
    const { store, plan } = await faultyTarget(targets, variant, seed, clock);
    const counter = new ExecutionCounter();
    const baton = createBaton({
      store,
      agents: [reliabilityAgent({ recorder: counter })],
      queue: { enqueue: async () => {} },
      clock,
      logger: silentLogger,
    });
    const ref = { tenant: `faults-${targets.run}`, sessionId: `${variant}-${seed}` };
    try {
      const driven = await driveToEnd(baton, ref, {
        retries: 500,
        // A lease taken by a run whose answer was lost: the message comes back once it expires.
        onBusy: (retryAt) => clock.set(Math.max(clock.now(), retryAt + 1)),
      });
      plan.disable();
      row.runs += driven.runs;
      retries += driven.retries;
      const head = await store.readHead(ref);
      const events = await store.readEvents(ref);
      const ran = counter.byCall(ref);
      const audit = auditSession(head, events, { executions: ran, atMostOnce: AT_MOST_ONCE_TOOLS });
      const actual = batchOrder(transcript(events));
      const unknownCalls = new Set(
        events.flatMap((event) =>
          event.kind === 'tool_result' && event.outcome === 'unknown' ? [event.callId] : [],
        ),
      );
      unknown += unknownCalls.size;
      const found = [...audit.problems];
      for (const callId of unknownCalls) {
        const call = events.find((event) => event.kind === 'tool_result' && event.callId === callId);
        if (!AT_MOST_ONCE_TOOLS.has((call as { name: string }).name))
          found.push(`idempotent call ${callId} ended unknown`);
      }
      if (
        JSON.stringify(actual) !== JSON.stringify(batchOrder(withUnknownOutcomes(expected, unknownCalls)))
      ) {
        found.push('the transcript differs from the fault-free run beyond unknown outcomes');
      }
      if (JSON.stringify(head?.toolState) !== JSON.stringify(expectedState))
        found.push('the tool state differs');
      row.faults += plan.injected.length;
      for (const fault of plan.injected) cases.add(`${fault.operation} ${fault.kind} ${fault.timing}`);
      row.lost += audit.lost;
      row.duplicates += audit.duplicates;
      if (found.length > 0) row.corrupted++;
      problems.push(...found.map((problem) => `seed ${seed}: ${problem}`));
    } finally {
      plan.disable();
      await store.close?.();
    }
  }
  row.cases = cases.size;
  row.note = `${SESSIONS} runs at ${RATE * 100}% faults: ${retries} queue retries, ${unknown} unknown outcomes`;
  resultsTable.add(row);
  expect(problems).toEqual([]);
  return row;
}

function stateOf(events: SessionEvent[]): unknown {
  const state: Record<string, unknown> = {};
  for (const event of events) {
    if (event.kind === 'tool_result' && event.statePatch) {
      for (const [key, value] of Object.entries(event.statePatch)) {
        if (value === null) delete state[key];
        else state[key] = value;
      }
    }
  }
  return state;
}
