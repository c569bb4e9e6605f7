import type { JWTVerifyGetKey } from 'jose';
import { textSetting } from '../app/settings.js';
import { BatonError } from '../errors.js';
import type { Environment } from '../models/model-provider.js';
import { ConfigurationError } from '../models/model-provider.js';
import { AuthError } from './auth-error.js';
import { bearerToken } from './bearer.js';
import { type ClaimMapping, checkScopes, identityFromClaims } from './claims.js';
import type { AuthMode, Identity } from './identity.js';

export interface JwtOptions extends ClaimMapping {
  /** The issuer's key set, e.g. `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`. Env: BATON_JWT_JWKS_URL. */
  jwksUrl?: string;
  /** The `iss` every token must carry. Env: BATON_JWT_ISSUER. */
  issuer?: string;
  /** The `aud` every token must carry (one of these). Env: BATON_JWT_AUDIENCE (comma separated). */
  audience?: string | readonly string[];
  /** Clock skew allowed on exp/nbf/iat, in seconds. Default 60. */
  clockToleranceSeconds?: number;
  /** Signature algorithms accepted. Default: the asymmetric ones (RS*, PS*, ES*, EdDSA); never `none` or HMAC. */
  algorithms?: readonly string[];
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

interface Resolved {
  jwksUrl: URL;
  issuer: string;
  audience: string[] | undefined;
  mapping: ClaimMapping;
}

/**
 * JWT bearer tokens (Cognito, Entra ID, Auth0, Clerk) verified against the issuer's JWKS: signature,
 * issuer, audience, expiry with clock skew. The tenant comes from a claim (`tenant` unless told).
 *
 * @example
 * export default defineBaton({
 *   agents: [helper],
 *   auth: jwt({ jwksUrl: 'https://issuer.example/.well-known/jwks.json', issuer: 'https://issuer.example/', audience: 'baton' }),
 * });
 */
export function jwt(options: JwtOptions = {}): AuthMode {
  checkScopes(options.defaultScopes, 'jwt defaultScopes');
  let resolved: Resolved | undefined;
  let keys: JWTVerifyGetKey | undefined;
  const resolve = (env: Environment): Resolved => {
    resolved ??= resolveOptions(options, env);
    return resolved;
  };
  return {
    kind: 'jwt',
    describe: () =>
      resolved
        ? `JWT bearer tokens from ${resolved.issuer} (tenant claim "${resolved.mapping.tenantClaim}")`
        : 'JWT bearer tokens',
    check(context) {
      const settings = resolve(context.env);
      if (!settings.audience) {
        context.logger.warn(
          'jwt() accepts tokens for any audience of the issuer: set audience or BATON_JWT_AUDIENCE',
        );
      }
    },
    async authenticate(request, context): Promise<Identity | null> {
      const token = bearerToken(request);
      if (token === undefined || token.split('.').length !== 3) return null;
      const settings = resolve(context.env);
      // jose loads with the first token, never in an app that does not configure jwt().
      const { createRemoteJWKSet, errors, jwtVerify } = await import('jose');
      keys ??= createRemoteJWKSet(settings.jwksUrl);
      let payload: Record<string, unknown>;
      try {
        const verified = await jwtVerify(token, keys, {
          issuer: settings.issuer,
          ...(settings.audience ? { audience: settings.audience } : {}),
          algorithms: [...(options.algorithms ?? ASYMMETRIC)],
          clockTolerance: options.clockToleranceSeconds ?? 60,
          currentDate: new Date(context.clock.now()),
        });
        payload = verified.payload;
      } catch (error) {
        throw verificationError(error, errors);
      }
      return identityFromClaims(payload, settings.mapping, 'jwt');
    },
  };
}

function resolveOptions(options: JwtOptions, env: Environment): Resolved {
  const url = options.jwksUrl ?? textSetting(env, 'BATON_JWT_JWKS_URL');
  const issuer = options.issuer ?? textSetting(env, 'BATON_JWT_ISSUER');
  if (!url) throw new ConfigurationError('jwt() needs the issuer key set: set jwksUrl or BATON_JWT_JWKS_URL');
  if (!issuer) throw new ConfigurationError('jwt() needs the token issuer: set issuer or BATON_JWT_ISSUER');
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(url);
  } catch {
    throw new ConfigurationError(`jwt() jwksUrl is not a URL: ${JSON.stringify(url)}`);
  }
  const audienceText = textSetting(env, 'BATON_JWT_AUDIENCE');
  const audience =
    options.audience !== undefined
      ? [options.audience].flat()
      : audienceText
          ?.split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  return {
    jwksUrl,
    issuer,
    audience: audience && audience.length > 0 ? audience : undefined,
    mapping: {
      ...options,
      tenantClaim: options.tenantClaim ?? textSetting(env, 'BATON_JWT_TENANT_CLAIM') ?? 'tenant',
      userClaim: options.userClaim ?? textSetting(env, 'BATON_JWT_USER_CLAIM') ?? 'sub',
    },
  };
}

/** A bad token is the caller's problem (401); a key set we cannot fetch is ours (503, retry). */
function verificationError(error: unknown, errors: typeof import('jose').errors): BatonError {
  const unreachable =
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError);
  if (unreachable) {
    return new BatonError('auth_unavailable', 'the token issuer key set cannot be read now', {
      status: 503,
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof errors.JWTExpired)
    return new AuthError('invalid_credentials', 'the token has expired');
  const reason = error instanceof errors.JWTClaimValidationFailed ? `: ${error.message}` : '';
  return new AuthError('invalid_credentials', `the token is not valid${reason}`);
}
