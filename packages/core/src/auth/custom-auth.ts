import { isTenant } from '../session-ref.js';
import { AuthError } from './auth-error.js';
import { type ClaimMapping, checkScopes, identityFromClaims } from './claims.js';
import { type AuthContext, type AuthMode, type Identity, SCOPES } from './identity.js';

/**
 * What a custom resolver returns: who the caller is, or null when the request carries no credential it
 * knows (the next mode, or 401). Throw `AuthError('invalid_credentials', …)` for a bad credential.
 */
export type CustomAuthFunction = (
  request: Request,
  context: AuthContext,
) => Promise<Omit<Identity, 'via'> | null> | Omit<Identity, 'via'> | null;

/**
 * Any other way of knowing callers (a session cookie, an mTLS header a proxy set, a gateway's
 * signed header): the function decides, the app checks what it returns.
 *
 * @example
 * auth: customAuth(async (request) => {
 *   const user = await myDirectory.lookup(request.headers.get('x-user-token'));
 *   return user ? { tenant: user.org, user: user.id, scopes: ['send', 'read'] } : null;
 * })
 */
export function customAuth(resolve: CustomAuthFunction): AuthMode {
  return {
    kind: 'custom',
    describe: () => `a custom resolver${resolve.name ? ` (${resolve.name})` : ''}`,
    async authenticate(request, context): Promise<Identity | null> {
      const found = await resolve(request, context);
      if (found === null || found === undefined) return null;
      if (!isTenant(found.tenant)) {
        throw new AuthError('invalid_credentials', 'the custom resolver returned an invalid tenant');
      }
      if (typeof found.user !== 'string' || found.user === '') {
        throw new AuthError('invalid_credentials', 'the custom resolver returned no user');
      }
      if (!Array.isArray(found.scopes) || found.scopes.some((scope) => !SCOPES.includes(scope))) {
        throw new AuthError(
          'invalid_credentials',
          `the custom resolver returned scopes outside ${SCOPES.join(', ')}`,
        );
      }
      return { tenant: found.tenant, user: found.user, scopes: [...new Set(found.scopes)], via: 'custom' };
    },
  };
}

/**
 * Claims the platform verified before the request reached the app: API Gateway's JWT authorizer on
 * AWS, App Service authentication on Azure. The host passes them (never from a request header); a
 * request without them is unauthenticated.
 *
 * @example
 * auth: platformAuth({ tenantClaim: 'custom:tenant' })
 */
export function platformAuth(mapping: ClaimMapping = {}): AuthMode {
  checkScopes(mapping.defaultScopes, 'platformAuth defaultScopes');
  return {
    kind: 'platform',
    describe: () => `claims verified by the platform (tenant claim "${mapping.tenantClaim ?? 'tenant'}")`,
    async authenticate(_request, context): Promise<Identity | null> {
      if (!context.platformClaims) return null;
      return identityFromClaims(context.platformClaims, mapping, 'platform');
    },
  };
}
