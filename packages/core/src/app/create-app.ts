import { withModel } from '../agent.js';
import { type Authenticator, describeAuth, resolveAuth } from '../auth/authenticator.js';
import { allowedOrigins } from '../auth/browser-safety.js';
import type { AuthContext, AuthMode } from '../auth/identity.js';
import type { RouteSpec } from '../auth/route-spec.js';
import { type Baton, createBaton } from '../baton.js';
import { type Clock, systemClock } from '../clock.js';
import { jsonLogger, type Logger } from '../logger.js';
import type { Environment, ModelProvider } from '../models/model-provider.js';
import { ModelRegistry, type ResolvedModel } from '../models/model-registry.js';
import { isUnresolvedModel } from '../models/unresolved-model.js';
import type { RunQueue } from '../queue.js';
import type { SessionStore } from '../store.js';
import {
  appFetch,
  DEFAULT_MAX_BODY_BYTES,
  type FetchOptions,
  type FetchTarget,
  routeTable,
} from './app-fetch.js';
import type { Channel, Route } from './channel.js';
import type { BatonDefinition } from './define-baton.js';
import { type DeliveryOptions, type Disposition, deliver } from './deliver.js';
import { appSettings, textSetting } from './settings.js';

/** What a host brings to an app: where sessions live, how runs are queued, and its environment. */
export interface AppHost {
  store: SessionStore;
  queue: RunQueue;
  /** Settings and credentials. Default: `process.env`. */
  env?: Environment;
  clock?: Clock;
  logger?: Logger;
  /** Model providers the host loaded for the agents' models (see `neededProviders`). */
  providers?: readonly ModelProvider[];
  /** Routes matched before the app's own (the local console), each with its access in `specs`. */
  routes?: readonly Route[];
  /** A deployed host: refuse to start when the definition sets no `auth`. */
  requireAuth?: boolean;
  /** The local server: answer only requests for a local Host (and from a local Origin). */
  localOnly?: boolean;
  /** Auth modes the host adds (the console's session cookie), tried before the definition's. */
  authModes?: readonly AuthMode[];
  /** How long an HTTP input's queued run message stays hidden (BATON_SAFETY_NET_DELAY_MS wins). */
  safetyNetDelayMs?: number;
  /** Run budget of a request whose host gives no deadline. Default 25 s. */
  requestBudgetMs?: number;
  maxBodyBytes?: number;
}

/**
 * One app on one host: three entry points every host calls, each host only translating its
 * platform's events to them and their results back.
 */
export interface BatonApp {
  /** The engine, for hosts and tools that need more than the three entry points (the CLI, tests). */
  readonly baton: Baton;
  readonly channels: readonly Channel[];
  /** Each agent's model, resolved: for the start banner and logs. */
  readonly models: ReadonlyMap<string, ResolvedModel>;
  /** Every route the app answers and who may call it: host routes, channels' routes, the API. */
  routes(): RouteSpec[];
  /** A Web-standard request (the API, channel routes, host routes) to its response. */
  fetch(request: Request, options?: FetchOptions): Promise<Response>;
  /** One queue message to what the host must do with it. */
  deliver(message: unknown, options: DeliveryOptions): Promise<Disposition>;
  /** Re-enqueues runs whose queue message was lost; run it on a schedule. */
  sweep(options?: { idleForMs?: number; limit?: number }): Promise<number>;
}

/**
 * Starts an app definition on a host: resolves every agent's model (once, here), applies the
 * environment's settings, builds the channels the environment configures.
 *
 * @example
 * const app = createBatonApp(definition, { store: new SqliteStore({ path }), queue });
 * const response = await app.fetch(new Request('http://local/sessions/s1'));
 */
export function createBatonApp(definition: BatonDefinition, host: AppHost): BatonApp {
  const env = host.env ?? process.env;
  const logger = host.logger ?? jsonLogger();
  const auth = resolveAuth(definition.config.auth, host);
  const settings = appSettings(env);
  const registry = new ModelRegistry([...(host.providers ?? []), ...(definition.config.models ?? [])], env);
  const timing = {
    ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
    ...(settings.modelCallMs !== undefined ? { modelCallMs: settings.modelCallMs } : {}),
  };
  const models = new Map<string, ResolvedModel>();
  const agents = definition.config.agents.map((agent) => {
    const resolved = isUnresolvedModel(agent.model)
      ? registry.resolve(agent.model.name)
      : { model: agent.model, description: `${agent.model.provider} ${agent.model.modelId}`, offline: false };
    models.set(agent.name, resolved);
    return withModel(agent, resolved.model, timing);
  });
  const baton = createBaton({
    store: host.store,
    queue: host.queue,
    agents,
    logger,
    clock: host.clock ?? systemClock,
    safetyNetDelayMs: settings.safetyNetDelayMs ?? host.safetyNetDelayMs ?? 0,
    // Agent webhooks' secrets are read from the same environment; URL exceptions are opt-in.
    webhooks: {
      env,
      allowLocalHttp: textSetting(env, 'BATON_WEBHOOKS_ALLOW_LOCAL') === '1',
      allowPrivate: textSetting(env, 'BATON_WEBHOOKS_ALLOW_PRIVATE') === '1',
    },
    ...(definition.config.defaultAgent ? { defaultAgent: definition.config.defaultAgent } : {}),
  });
  for (const [agent, model] of models) {
    if (model.offline)
      logger.warn('serving the OFFLINE DEMO MODEL: no model provider is configured', { agent });
    else logger.info('model configured', { agent, model: model.description });
  }
  const channels = (definition.config.channels ?? [])
    .map((factory) => factory({ baton, env, logger }))
    .filter((channel): channel is Channel => channel !== undefined);
  checkAuth(auth, { store: host.store, clock: baton.clock, env, logger }, host.localOnly === true);
  const target: FetchTarget = {
    baton,
    channels,
    table: routeTable(host.routes ?? [], channels),
    auth,
    safety: {
      localOnly: host.localOnly === true,
      allowedOrigins: allowedOrigins(textSetting(env, 'BATON_ALLOWED_ORIGINS')),
    },
    env,
    requestBudgetMs: host.requestBudgetMs ?? 25_000,
    maxBodyBytes: host.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  return {
    baton,
    channels,
    models,
    routes: () => target.table.map((entry) => ({ ...entry.spec })),
    fetch: (request, options) => appFetch(target, request, options),
    deliver: (message, options) => deliver({ baton, channels }, message, options),
    sweep: (options = {}) =>
      baton.sweep({
        ...options,
        ...(options.idleForMs === undefined && settings.sweepIdleMs !== undefined
          ? { idleForMs: settings.sweepIdleMs }
          : {}),
      }),
  };
}

/** Runs every mode's start check and says in the log how callers are authenticated. */
function checkAuth(auth: Authenticator, context: AuthContext, localOnly: boolean): void {
  for (const mode of auth.modes) mode.check?.(context);
  const modes = describeAuth(auth);
  if (auth.fallback === 'none') {
    context.logger.warn("auth is 'none': every caller may read, send, approve and delete in any tenant", {
      modes,
    });
  } else if (auth.fallback === 'local' && !localOnly) {
    context.logger.warn('no auth in defineBaton: every caller gets the local identity', { modes });
  } else {
    context.logger.info('callers are authenticated by', { modes });
  }
}
