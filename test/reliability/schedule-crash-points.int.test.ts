import {
  type BatonApp,
  type CommitRequest,
  createBatonApp,
  defineAgent,
  defineBaton,
  type EventOf,
  type RunMessage,
  type RunQueue,
  type SessionEvent,
  type SessionStore,
  sessionRef,
  setSchedule,
  silentLogger,
} from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, STORE_KINDS, type StoreKind } from './support/store-spec.js';
import { StoreTargets } from './support/store-targets.js';

/**
 * Issue 17: a cron schedule fires each occurrence exactly once on the real stores (SQLite, DynamoDB
 * Local, the Cosmos DB API server) when the invocation firing it crashes before or after any of its
 * writes, and when the queue delivers its wake-ups more than once. The same adversary as
 * packages/core/src/schedules/schedule-crashes.test.ts (memory store); its CrashPoints and queue are
 * not exported, so the minimum is copied here. Recovery is what a host's queue does: deliver the
 * undeleted wake message again until `deliver` says done.
 */

class Crash extends Error {}

/** Every write a firing makes (commits, enqueues), numbered; the armed one crashes before or after. */
class CrashPoints {
  step = 0;
  /** What each write was, for the case that pins their order. */
  readonly log: string[] = [];
  armed: { at: number; when: 'before' | 'after' } | undefined;
  async around<T>(label: string, write: () => Promise<T>): Promise<T> {
    const at = this.step++;
    this.log.push(label);
    const crash = this.armed?.at === at ? this.armed.when : undefined;
    if (crash === 'before') throw new Crash(`crash before write ${at}`);
    const result = await write();
    if (crash === 'after') throw new Crash(`crash after write ${at}`);
    return result;
  }
}

/** The store with its commits numbered; other methods bound to the store (private fields stay reachable). */
function crashingStore(store: SessionStore, points: CrashPoints): SessionStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit')
        return (request: CommitRequest) =>
          points.around(`commit [${request.events.map((event) => event.kind).join(' ')}]`, () =>
            target.commit(request),
          );
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const DAY = 24 * 3600_000;
/** Writes of one firing, in order: next wake-up enqueue, firing commit, lease commit, answer commit. */
const WRITES = 4;
/** Queue deliveries after a crash, at most, before the test calls recovery stuck. */
const MAX_DELIVERIES = 20;

const targets = new StoreTargets({
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  cosmosEndpoint: inject('cosmosEndpoint'),
  cosmosKey: inject('cosmosKey'),
});
/** Deliveries each crash point's recovery took, per store: printed at the end. */
const recoveries: { kind: StoreKind; point: string; deliveries: number }[] = [];

beforeAll(() => targets.prepare());
afterAll(async () => {
  if (recoveries.length > 0) {
    const rows = recoveries.map((row) => `${row.kind.padEnd(8)} ${row.point.padEnd(10)} ${row.deliveries}`);
    console.info(`redeliveries until the crashed wake-up was done:\n${rows.join('\n')}`);
  }
  await targets.dispose();
});

async function world(kind: StoreKind, label: string) {
  const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
  const points = new CrashPoints();
  const real = await openStore(targets.spec(kind, `schedule-${kind}`), { clock });
  const store = crashingStore(real, points);
  const kept: { message: RunMessage; delayMs: number }[] = [];
  const queue: RunQueue = {
    enqueue: (message, options) =>
      points.around(`enqueue ${message.reason}`, async () => {
        kept.push({ message, delayMs: options?.delayMs ?? 0 });
      }),
  };
  const model = new ScriptedModel((_request, index) => reply(`report ${index + 1}`));
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test',
    model,
    timing: { leaseMs: 30_000, modelCallMs: 10_000 },
  });
  const app: BatonApp = createBatonApp(defineBaton({ agents: [agent] }), {
    store,
    queue,
    clock,
    logger: silentLogger,
    env: {},
  });
  const ref = sessionRef(`t-${targets.run}`, label);
  /** Delivers until the host would delete the message; returns how many deliveries that took. */
  const settle = async (message: RunMessage): Promise<number> => {
    for (let delivery = 1; delivery <= MAX_DELIVERIES; delivery++) {
      const disposition = await app.deliver(message, {
        deadline: clock.now() + 600_000,
        attempt: delivery,
        maxAttempts: MAX_DELIVERIES,
      });
      if (disposition.action === 'done') return delivery;
      if (disposition.action === 'dead_letter') throw new Error(`dead-lettered: ${disposition.message}`);
      clock.advance(disposition.delayMs);
    }
    throw new Error(`the wake-up was not done after ${MAX_DELIVERIES} deliveries`);
  };
  const wakes = (dueAt: number) =>
    kept.map((entry) => entry.message).filter((message) => message.schedule?.dueAt === dueAt);
  const events = () => real.readEvents(ref);
  const close = () => real.close?.();
  return { clock, points, real, app, ref, settle, wakes, events, close };
}

const fired = (events: SessionEvent[]) =>
  events.filter((event): event is EventOf<'input'> => event.kind === 'input' && event.source === 'schedule');

const POINTS = Array.from({ length: WRITES }, (_, at) => [
  [at, 'before'],
  [at, 'after'],
]).flat() as [number, 'before' | 'after'][];

describe.each(STORE_KINDS)('cron firing under crashes on %s', (kind) => {
  it('makes exactly the four writes when nothing crashes', async () => {
    const t = await world(kind, 'no-crash');
    try {
      await setSchedule(
        t.app.baton,
        t.ref,
        { text: 'daily report', cron: '0 9 * * *' },
        { agent: 'tester', by: 'api:me' },
      );
      const [first] = t.wakes(Date.UTC(2026, 11, 6, 9));
      expect(first).toBeDefined();
      t.clock.set(first!.schedule!.dueAt);
      t.points.step = 0;
      t.points.log.length = 0;
      expect(await t.settle(first!)).toBe(1);
      expect(t.points.log).toEqual([
        'enqueue wake',
        'commit [input]',
        'commit []',
        'commit [model_response run_finished]',
      ]);
      expect(t.points.step).toBe(WRITES);
    } finally {
      await t.close();
    }
  });

  it.each(POINTS)('fires each occurrence of three days once when write %i crashes (%s)', async (at, when) => {
    const t = await world(kind, `crash-${at}-${when}`);
    try {
      await setSchedule(
        t.app.baton,
        t.ref,
        { text: 'daily report', cron: '0 9 * * *' },
        { agent: 'tester', by: 'api:me' },
      );
      const day1 = Date.UTC(2026, 11, 6, 9);
      const dues = [day1, day1 + DAY, day1 + 2 * DAY];
      const first = t.wakes(day1)[0]!;
      expect(first).toBeDefined();

      t.clock.set(day1);
      t.points.step = 0;
      t.points.armed = { at, when };
      await t.app.baton.handle(first, { deadline: t.clock.now() + 600_000 }).then(
        () => expect.unreachable(`write ${at} never happened: the firing made fewer writes`),
        (error: unknown) => {
          if (!(error instanceof Crash)) throw error;
        },
      );
      t.points.armed = undefined;
      // The crash ended the invocation: the queue delivers the undeleted message again, then a duplicate.
      const deliveries = await t.settle(first);
      recoveries.push({ kind, point: `${at} ${when}`, deliveries });
      expect(await t.settle(first)).toBe(1);

      for (const [day, dueAt] of dues.entries()) {
        if (day > 0) {
          t.clock.set(dueAt);
          const sent = t.wakes(dueAt);
          expect(sent.length, `wake-ups of day ${day + 1}`).toBeGreaterThanOrEqual(1);
          // Every copy the firings sent, each delivered twice at once (an at-least-once queue, two workers).
          await Promise.all([...sent, ...sent].map((message) => t.settle(message)));
        }
        const events = await t.events();
        expect(fired(events).map((event) => event.metadata?.dueAt)).toEqual(dues.slice(0, day + 1));
        expect(events.filter((event) => event.kind === 'run_finished')).toHaveLength(day + 1);
        const head = (await t.real.readHead(t.ref))!;
        expect(head.schedules).toEqual([expect.objectContaining({ dueAt: dueAt + DAY })]);
        expect(t.wakes(dueAt + DAY).length, `next wake-up after day ${day + 1}`).toBeGreaterThanOrEqual(1);
      }
      const answers = (await t.events()).filter((event) => event.kind === 'run_finished');
      expect(answers.map((event) => event.text)).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});
