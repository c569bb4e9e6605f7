import { describe, expect, it } from 'vitest';
import { containerDefinition, resolveContainerNames } from './container-definition.js';

describe('resolveContainerNames', () => {
  it('prefers the options over the environment', () => {
    const env = { BATON_COSMOS_DATABASE: 'env-db', BATON_COSMOS_CONTAINER: 'env-sessions' };

    expect(resolveContainerNames({ database: 'db', container: 'sessions' }, env)).toEqual({
      database: 'db',
      container: 'sessions',
    });
    expect(resolveContainerNames({ database: 'db' }, env)).toEqual({
      database: 'db',
      container: 'env-sessions',
    });
  });

  it('throws a configuration error naming both variables when a name is missing', () => {
    expect(() => resolveContainerNames({ database: 'db' }, {})).toThrow(/BATON_COSMOS_CONTAINER/);
  });
});

describe('containerDefinition', () => {
  it('partitions by /pk and turns TTL on without expiring anything by default', () => {
    expect(containerDefinition.partitionKey).toMatchObject({ paths: ['/pk'], version: 2 });
    expect(containerDefinition.defaultTtl).toBe(-1);
  });
});
