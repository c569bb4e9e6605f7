import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Environment } from '../models/model-provider.js';
import type { SessionStore } from '../store.js';

/**
 * What a caller may do. `send`: start and continue conversations; `read`: sessions, events, lists;
 * `approve`: decide pending tool calls (still subject to the agent's approver policy); `admin`:
 * delete sessions and everything else.
 */
export type Scope = 'send' | 'read' | 'approve' | 'admin';
export const SCOPES: readonly Scope[] = ['send', 'read', 'approve', 'admin'];

/** How an identity was established: recorded with decisions and in logs, never trusted from input. */
export type IdentitySource = 'api_key' | 'jwt' | 'custom' | 'platform' | 'slack' | 'cli' | 'local' | 'none';

/**
 * Who is calling, established before any route runs. The tenant is the identity's: a tenant header
 * may only repeat it (another tenant is refused with 403).
 */
export interface Identity {
  tenant: string;
  /** Stable and readable: `key:<keyId>` for API keys, the subject claim for JWTs, `slack:<U…>` in Slack. */
  user: string;
  scopes: readonly Scope[];
  via: IdentitySource;
}

/** What an auth mode may use: the host's store (API keys), clock (expiry), settings and logger. */
export interface AuthContext {
  store: SessionStore;
  clock: Clock;
  env: Environment;
  logger: Logger;
  /**
   * Claims the platform verified before the request reached the app (API Gateway's JWT authorizer,
   * App Service authentication). Hosts set it only from trusted sources, never from a header.
   */
  platformClaims?: Readonly<Record<string, unknown>>;
}

/**
 * One way of authenticating callers. `authenticate` returns null when the request carries no
 * credential this mode understands (the next mode may), an Identity when it does and the credential
 * is good, and throws an AuthError when a credential is present but wrong, expired or revoked.
 */
export interface AuthMode {
  readonly kind: string;
  /** One line for the start banner, e.g. "API keys (hashed in the store)". Never a secret. */
  describe(): string;
  /** Checks what the mode needs at start (a store with API keys, a JWKS URL); throws ConfigurationError. */
  check?(context: AuthContext): void;
  authenticate(request: Request, context: AuthContext): Promise<Identity | null>;
}

/** `defineBaton({ auth })`: one mode, several tried in order, or 'none' said out loud. */
export type AuthConfig = AuthMode | readonly AuthMode[] | 'none';
