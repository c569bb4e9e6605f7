import { describe, expect, it } from 'vitest';
import { invocationOwner, queueDelivery } from './queue-delivery.js';
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
