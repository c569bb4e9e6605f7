import { AuthError } from './auth-error.js';
import type { Identity, Scope } from './identity.js';

/**
 * Whether an identity may call a route that needs `scope`, for the tenant the request names (the
 * `x-baton-tenant` header may only repeat the identity's). `admin` holds every scope.
 */
export function checkAccess(identity: Identity, scope: Scope, tenantHeader: string | null): void {
  if (!identity.scopes.includes(scope) && !identity.scopes.includes('admin')) {
    throw new AuthError('insufficient_scope', `this route needs the ${scope} scope`);
  }
  if (tenantHeader !== null && tenantHeader !== identity.tenant) {
    throw new AuthError('tenant_mismatch', 'x-baton-tenant names another tenant than the caller belongs to');
  }
}
