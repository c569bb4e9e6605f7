import { ConfigurationError } from '../models/model-provider.js';
import { isTenant } from '../session-ref.js';
import { AuthError } from './auth-error.js';
import { type Identity, type IdentitySource, SCOPES, type Scope } from './identity.js';

/** What a token holds without a Baton scope: enough to talk and read, not to approve or delete. */
export const DEFAULT_TOKEN_SCOPES: readonly Scope[] = ['send', 'read'];

/** How verified claims become an identity: which claims name the tenant, the user and the scopes. */
export interface ClaimMapping {
  /** Default 'tenant'. Cognito custom attributes look like 'custom:tenant'. */
  tenantClaim?: string;
  /** Default 'sub'. */
  userClaim?: string;
  /** A claim holding scopes; default `scope` (space separated) then `scp` (text or list). */
  scopesClaim?: string;
  /** Scopes of a token that names no Baton scope. Default: send, read. */
  defaultScopes?: readonly Scope[];
}

/**
 * Turns claims a verifier (jose, API Gateway, App Service) already checked into an identity. Scope
 * items are `send`, `read`, `approve`, `admin`, optionally prefixed `baton:` or `baton/`; others are
 * ignored.
 */
export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping,
  via: IdentitySource,
): Identity {
  const tenantClaim = mapping.tenantClaim ?? 'tenant';
  const userClaim = mapping.userClaim ?? 'sub';
  const tenant = claims[tenantClaim];
  if (tenant === undefined || tenant === null || tenant === '') {
    throw new AuthError('invalid_credentials', `the token has no "${tenantClaim}" claim naming the tenant`);
  }
  if (!isTenant(tenant)) {
    throw new AuthError('invalid_credentials', `the token's "${tenantClaim}" claim is not a valid tenant`);
  }
  const user = claims[userClaim];
  if (typeof user !== 'string' || user.trim() === '') {
    throw new AuthError('invalid_credentials', `the token has no "${userClaim}" claim naming the user`);
  }
  const raw = mapping.scopesClaim
    ? scopeItems(claims[mapping.scopesClaim])
    : [...scopeItems(claims.scope), ...scopeItems(claims.scp)];
  const scopes = [...new Set(raw.map(batonScope).filter((scope): scope is Scope => scope !== undefined))];
  return {
    tenant,
    user,
    scopes: scopes.length > 0 ? scopes : [...(mapping.defaultScopes ?? DEFAULT_TOKEN_SCOPES)],
    via,
  };
}

function scopeItems(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value !== 'string') return [];
  // API Gateway hands a list claim over as the text "[a b]".
  const text = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return text.split(/[\s,]+/).filter((item) => item !== '');
}

function batonScope(item: string): Scope | undefined {
  const name = item.replace(/^baton[:/]/, '');
  return SCOPES.find((scope) => scope === name);
}

/** Checks scopes given in code (options), so a typo fails at start rather than at the first request. */
export function checkScopes(scopes: readonly Scope[] | undefined, where: string): void {
  const unknown = (scopes ?? []).filter((scope) => !SCOPES.includes(scope));
  if (unknown.length > 0)
    throw new ConfigurationError(`${where}: unknown scopes ${unknown.join(', ')}; use ${SCOPES.join(', ')}`);
}
