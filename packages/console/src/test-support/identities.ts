import { type Identity, SCOPES, type Scope } from '@baton/core';

/** The local server's identity with no `auth`: every scope, every tenant in the console. */
export const LOCAL_IDENTITY: Identity = { tenant: 'default', user: 'local', scopes: SCOPES, via: 'local' };

/** An API key's identity, bound to one tenant. */
export function keyIdentity(tenant: string, scopes: readonly Scope[] = ['read']): Identity {
  return { tenant, user: 'key:abcdefghijklmnop', scopes, via: 'api_key' };
}
