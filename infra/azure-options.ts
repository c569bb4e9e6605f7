import type { SecretName } from './settings.js';

/** What deployAzure takes besides the app folder. */
export interface AzureStackOptions {
  /** The environment model settings and tuning are copied from when set (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** Which SST secrets become app settings (default: all of SECRETS; an unset one is left out). */
  secrets?: readonly SecretName[];
  /** Memory of each instance: 512, 2048 (default) or 4096 MB. */
  instanceMemoryMB?: 512 | 2048 | 4096;
  /** The most instances Flex Consumption scales to (40 to 1000, default 100). */
  maximumInstanceCount?: number;
  /** An address the poison-queue alert mails. */
  alarmEmail?: string;
  /** When this deploy happens; the package link it hands OneDeploy expires two hours later. */
  now?: Date;
  /** How the platform checks callers before the app's own `auth` (API keys need nothing here). */
  auth?: AzureAuthOptions;
  /**
   * Serve the web console at `/api/console` (default false): BATON_CONSOLE=on, and the app adds
   * an anonymous `console/{*path}` function (a browser holds no function key). Its pages need the
   * app's `auth`: with `apiKeys()` a browser signs in with a key (a Secure, HttpOnly cookie); with
   * App Service authentication the platform's own sign-in applies. Approve / Reject post to the
   * API, which asks for a function key unless `auth.functionKeys` is false.
   */
  console?: boolean;
}

export interface AzureAuthOptions {
  /**
   * Function keys on the API routes (default true): the host asks for `x-functions-key` or
   * `?code=` first. Slack's routes and /healthz never ask (Slack cannot send a key).
   */
  functionKeys?: boolean;
  /**
   * App Service authentication (Easy Auth) with Microsoft Entra ID: the platform validates bearer
   * tokens and passes the caller's claims in `x-ms-client-principal`, which the app reads with
   * `platformAuth({ tenantClaim })`. Requests without a token still reach the app, whose route
   * table decides (API keys, Slack's signatures, the public health check).
   */
  appServiceAuth?: {
    /** The issuer, e.g. `https://login.microsoftonline.com/<directory id>/v2.0`. */
    issuer: string;
    /** The app registration's client id. */
    clientId: string;
    /** Accepted `aud` values; default `api://<clientId>` and the client id. */
    audiences?: string[];
  };
}
