import { ValidationError } from '../errors.js';
import { ConfigurationError } from '../models/model-provider.js';
import { isTenant } from '../session-ref.js';
import { AuthError } from './auth-error.js';
import { type AuthConfig, type AuthContext, type AuthMode, type Identity, SCOPES } from './identity.js';

/**
 * An app's auth, resolved once at start: the modes to try in order, and who a request is when none
 * of them knows it: nobody (401), or everybody with all scopes ('none' said out loud, or the local
 * server with no auth configured, `via: 'local'`).
 */
export interface Authenticator {
  readonly modes: readonly AuthMode[];
  readonly fallback: 'none' | 'local' | null;
}

/**
 * Resolves `defineBaton({ auth })` with what the host adds (`authModes`, tried first) and demands
 * (`requireAuth`: a deployed host refuses to start without auth).
 */
export function resolveAuth(
  config: AuthConfig | undefined,
  host: { requireAuth?: boolean; localOnly?: boolean; authModes?: readonly AuthMode[] },
): Authenticator {
  const hostModes = host.authModes ?? [];
  if (config === undefined) {
    if (host.requireAuth) {
      throw new ConfigurationError(
        "this host does not serve an app without authentication: set auth in defineBaton: apiKeys(), jwt(), customAuth(fn), or 'none'",
      );
    }
    return { modes: hostModes, fallback: 'local' };
  }
  if (config === 'none') return { modes: hostModes, fallback: 'none' };
  const own = Array.isArray(config) ? (config as readonly AuthMode[]) : [config as AuthMode];
  if (own.length === 0 || own.some((mode) => typeof mode?.authenticate !== 'function')) {
    throw new ConfigurationError(
      "auth in defineBaton must be apiKeys(), jwt(), customAuth(fn), platformAuth(), a list of them, or 'none'",
    );
  }
  // A local-only host (`baton serve` on 127.0.0.1) checks every credential it is sent, and takes a
  // request that carries none as the developer on this machine: as Azure Functions Core Tools
  // ignore function keys locally. Its Host and Origin checks keep browsers and rebound names out.
  return { modes: [...hostModes, ...own], fallback: host.localOnly ? 'local' : null };
}

/** One line per mode, for the start banner. */
export function describeAuth(auth: Authenticator): string[] {
  const lines = auth.modes.map((mode) => mode.describe());
  if (auth.fallback === 'none') lines.push("'none': every caller may do everything in the tenant it names");
  if (auth.fallback === 'local') lines.push('local identity for local requests without credentials');
  return lines;
}

/**
 * Who sends a request: the first mode that knows its credential, or the fallback. Throws AuthError
 * `unauthenticated` when no mode knows it (a mode itself throws `invalid_credentials` for a bad one).
 * `hostTenant` is the tenant a host without modes of its own was told (ignored for modes).
 */
export async function authenticate(
  auth: Authenticator,
  request: Request,
  context: AuthContext,
  hostTenant?: string,
): Promise<Identity> {
  for (const mode of auth.modes) {
    const identity = await mode.authenticate(request, context);
    if (identity) return identity;
  }
  if (auth.fallback) {
    const tenant = hostTenant ?? request.headers.get('x-baton-tenant') ?? 'default';
    if (!isTenant(tenant)) {
      throw new ValidationError('tenant must be 1-128 characters of letters, digits, ".", "_", ":" or "-"', {
        field: 'tenant',
      });
    }
    return { tenant, user: 'anonymous', scopes: SCOPES, via: auth.fallback };
  }
  // A credential no mode reads (Basic, an unknown token) identifies nobody: the same as none.
  const why = request.headers.has('authorization')
    ? 'no configured auth mode accepts this kind of credential'
    : 'this route needs credentials: an API key or a bearer token';
  throw new AuthError('unauthenticated', why);
}
