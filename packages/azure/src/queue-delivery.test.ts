import { describe, expect, it } from 'vitest';
import { invocationOwner, priorAttempts, queueDelivery } from './queue-delivery.js';
import { invocationContext } from './test-fixtures.js';

describe('queueDelivery', () => {
  it('reads the id and dequeue count when the metadata holds numbers or their text', () => {
    expect(queueDelivery(invocationContext({ triggerMetadata: { id: 'm-1', dequeueCount: 3 } }))).toEqual({
      id: 'm-1',
      dequeueCount: 3,
    });
    expect(
      queueDelivery(invocationContext({ triggerMetadata: { id: 'm-1', dequeueCount: '2' } })).dequeueCount,
    ).toBe(2);
  });

  it('counts a first delivery when the metadata is missing', () => {
    expect(queueDelivery(invocationContext())).toEqual({ id: undefined, dequeueCount: 1 });
  });
});

describe('invocationOwner', () => {
  it('names the lease owner after the invocation when the host gave it an id', () => {
    const context = invocationContext({ invocationId: 'a1b2' });
    expect(invocationOwner(context)).toBe('azure:a1b2');
  });

  it('leaves the owner to the core when the invocation id is unknown', () => {
    expect(invocationOwner(invocationContext({ invocationId: 'unknown' }))).toBeUndefined();
  });
});

describe('priorAttempts', () => {
  it('reads the attempts a copy carries, and 0 for an original or anything else', () => {
    expect(priorAttempts({ v: 1, priorAttempts: 3 })).toBe(3);
    expect(priorAttempts({ v: 1 })).toBe(0);
    for (const entry of [
      null,
      'text',
      { priorAttempts: -1 },
      { priorAttempts: '2' },
      { priorAttempts: 1.5 },
    ]) {
      expect(priorAttempts(entry)).toBe(0);
    }
  });
});
