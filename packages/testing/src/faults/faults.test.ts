import { ThrottledError } from '@baton/core';
import { MemoryStore, newHead } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { FaultPlan } from './fault-plan.js';
import { faultyStore } from './store-faults.js';

const ref = { tenant: 'acme', sessionId: 'faults' };
const create = (version = 1) => ({
  ref,
  expectedVersion: null,
  head: { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version },
  events: [],
});

describe('FaultPlan', () => {
  it('chooses the same faults when the seed and the calls are the same', () => {
    const run = () => {
      const plan = new FaultPlan({
        rate: 0.5,
        seed: 42,
        kinds: [
          { kind: 'a', timings: ['before', 'after'] },
          { kind: 'b', timings: ['before'] },
        ],
      });
      return Array.from({ length: 50 }, (_, index) => plan.next(`call-${index}`));
    };
    expect(run()).toEqual(run());
    expect(run().filter(Boolean).length).toBeGreaterThan(10);
  });

  it('injects nothing when the rate is 0 and stops when it reaches its limit', () => {
    const never = new FaultPlan({ rate: 0, kinds: [{ kind: 'a', timings: ['before'] }] });
    expect(Array.from({ length: 20 }, () => never.next('x')).filter(Boolean)).toEqual([]);
    const once = new FaultPlan({ rate: 1, limit: 1, kinds: [{ kind: 'a', timings: ['before', 'after'] }] });
    expect([once.next('x', undefined, ['before']), once.next('y')]).toEqual([
      { operation: 'x', kind: 'a', timing: 'before' },
      undefined,
    ]);
    expect(once.summary()).toEqual({ 'a/before': 1 });
  });
});

describe('faultyStore', () => {
  it('writes nothing when a commit fails before and writes it when a commit fails after', async () => {
    const inner = new MemoryStore();
    const { store, plan } = faultyStore(inner, { rate: 1, seed: 1, operations: ['commit'] });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 10 && outcomes.length < 2; attempt++) {
      const error = await store.commit(create()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ThrottledError);
      const timing = plan.injected.at(-1)!.timing;
      const written = (await inner.readHead(ref)) !== null;
      if (!outcomes.includes(timing)) outcomes.push(timing);
      expect(written).toBe(timing === 'after');
      await inner.delete(ref);
    }
    expect(outcomes.sort()).toEqual(['after', 'before']);
  });
});
