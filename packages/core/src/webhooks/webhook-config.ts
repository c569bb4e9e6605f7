import { isIP } from 'node:net';

/*
 * Who gets told about a session's runs. Agent-level webhooks come from `baton.config.ts` (their
 * secret from an environment variable the app names); session-level ones are registered through
 * `POST /sessions/{id}/webhooks` and kept on the session's head with a secret Baton generates and
 * returns once. Either way a webhook is an id, a URL and the event types it wants.
 */

/** The run events a webhook can ask for. */
export const WEBHOOK_EVENTS = [
  'run.finished',
  'run.failed',
  'run.waiting_for_approval',
  'run.scheduled_started',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** A webhook as a commit sees it: where to send which events. */
export interface WebhookTarget {
  /** `a<n>` for an agent's n-th webhook, `wh_<random>` for a session's. */
  id: string;
  url: string;
  events: readonly WebhookEventType[];
}

/** A webhook registered on a session: stored on its head, secret included (returned once, never shown). */
export interface SessionWebhook extends WebhookTarget {
  secret: string;
  createdAt: number;
}

/** An agent's webhook, as written in `defineAgent({ webhooks })`. */
export interface AgentWebhookOptions {
  url: string;
  events: readonly WebhookEventType[];
  /** Name of the environment variable that holds the signing secret (read when sending). */
  secretEnv: string;
}

/** An agent's webhook, validated. */
export interface AgentWebhook extends WebhookTarget {
  secretEnv: string;
}

/** How many webhooks one session may register. */
export const MAX_SESSION_WEBHOOKS = 5;
const MAX_URL_LENGTH = 2048;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Which URLs a session may register; both off by default (BATON_WEBHOOKS_ALLOW_LOCAL / _PRIVATE). */
export interface WebhookUrlPolicy {
  /** http:// to 127.0.0.1, ::1 or localhost, for local development. */
  allowLocalHttp: boolean;
  /** Hosts that are private, loopback or link-local addresses (169.254.169.254 is the clouds' metadata service). */
  allowPrivate: boolean;
}

/**
 * Why a URL may not receive webhooks, or null when it may: https only (http to loopback when the
 * policy allows local development), no credentials in it, and no private, loopback or link-local
 * address literal or local name unless the policy allows them. Names are not resolved here.
 *
 * @example
 * webhookUrlProblem('http://10.0.0.5/hook', { allowLocalHttp: false, allowPrivate: false }); // 'url must use https'
 */
export function webhookUrlProblem(raw: string, policy: WebhookUrlPolicy): string | null {
  if (raw.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url is not an absolute URL';
  }
  if (url.username || url.password) return 'url must not carry credentials; sign with the secret instead';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = isLoopback(host);
  if (url.protocol === 'http:') {
    if (!(policy.allowLocalHttp && loopback)) {
      return policy.allowLocalHttp
        ? 'url must use https (http is allowed only to 127.0.0.1, ::1 or localhost)'
        : 'url must use https (set BATON_WEBHOOKS_ALLOW_LOCAL=1 to allow http://127.0.0.1 in local development)';
    }
    return null;
  }
  if (url.protocol !== 'https:') return 'url must use https';
  if (loopback && policy.allowLocalHttp) return null;
  if (isPrivateHost(host) && !policy.allowPrivate) {
    return `url's host ${host} is a private or local address (set BATON_WEBHOOKS_ALLOW_PRIVATE=1 to allow it)`;
  }
  return null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isPrivateHost(host: string): boolean {
  if (
    isLoopback(host) ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.internal')
  )
    return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (family === 6) {
    if (host.startsWith('::ffff:')) return isPrivateHost(host.slice(7)) || !host.includes('.');
    return host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}

/** Why a list of event types is not valid, or null. */
export function webhookEventsProblem(events: unknown): string | null {
  if (!Array.isArray(events) || events.length === 0) {
    return `events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`;
  }
  const unknown = events.filter((event) => !WEBHOOK_EVENTS.includes(event as WebhookEventType));
  if (unknown.length > 0 || events.length > WEBHOOK_EVENTS.length) {
    return `events may only name ${WEBHOOK_EVENTS.join(', ')}; got ${JSON.stringify(unknown.length ? unknown : events)}`;
  }
  return null;
}

/**
 * An agent's webhooks, checked when the agent is defined (the app's own configuration: any http(s)
 * URL is accepted, so a local receiver works in development).
 *
 * @example
 * agentWebhooks('orders', [{ url: 'https://example.com/hook', events: ['run.finished'], secretEnv: 'ORDERS_HOOK_SECRET' }]);
 */
export function agentWebhooks(agent: string, options: readonly AgentWebhookOptions[]): AgentWebhook[] {
  return options.map((option, index) => {
    const where = `agent ${agent}'s webhook ${index + 1}`;
    let url: URL;
    try {
      url = new URL(option.url);
    } catch {
      throw new Error(`${where}: url ${JSON.stringify(option.url)} is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`${where}: url must use https`);
    const events = webhookEventsProblem(option.events);
    if (events) throw new Error(`${where}: ${events}`);
    if (!ENV_NAME.test(option.secretEnv ?? '')) {
      throw new Error(`${where}: secretEnv must name the environment variable that holds its signing secret`);
    }
    return { id: `a${index}`, url: option.url, events: [...option.events], secretEnv: option.secretEnv };
  });
}
