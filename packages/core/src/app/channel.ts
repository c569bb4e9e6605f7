import type { Identity } from '../auth/identity.js';
import type { RouteSpec } from '../auth/route-spec.js';
import type { Baton, HandleResult } from '../baton.js';
import type { Logger } from '../logger.js';
import type { Environment } from '../models/model-provider.js';
import type { SessionRef } from '../session-ref.js';

/** What a channel is built with when an app starts. */
export interface ChannelContext {
  baton: Baton;
  env: Environment;
  logger: Logger;
}

/**
 * A place conversations come from and replies go to besides the HTTP API (Slack). The app asks
 * each channel in turn; a channel answers only for its own requests and sessions.
 */
export interface Channel {
  readonly name: string;
  /**
   * Every request this channel answers (owner: its name). The app sends a channel only requests
   * that match one of these, after the access check (Slack's are `signed`: it verifies them itself).
   */
  readonly routes: readonly RouteSpec[];
  /** Answers the requests this channel owns (e.g. `POST /slack/events`), or null to let others try. */
  fetch?(request: Request, options: { deadline: number }): Promise<Response | null>;
  /** Whether a session's replies go out through this channel. */
  owns(ref: SessionRef): boolean;
  /**
   * Runs one queued message of an owned session, around the engine's run: e.g. post a placeholder
   * first and the answer after. `run` takes the deadline the engine's run must keep.
   */
  run?(
    ref: SessionRef,
    run: (deadline: number) => Promise<HandleResult>,
    options: { deadline: number },
  ): Promise<HandleResult>;
  /** After a failure was recorded on an owned session: show it there. Best effort. */
  failed?(ref: SessionRef, options: { deadline: number }): Promise<void>;
}

/**
 * Builds a channel when the app starts, or returns undefined when the environment does not
 * configure it (so one `baton.config.ts` serves with and without Slack credentials).
 */
export type ChannelFactory = (context: ChannelContext) => Channel | undefined;

/**
 * Routes a host adds in front of the app's own (the local console). The app matches a request
 * against `specs` and checks access first; `fetch` gets the caller's identity (null on public routes).
 */
export interface Route {
  readonly specs: readonly RouteSpec[];
  fetch(request: Request, identity: Identity | null): Promise<Response | null>;
}
