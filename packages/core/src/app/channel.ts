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
 * A route the host adds in front of the app's own (the local console): answers its requests, or
 * returns null to let the next route try.
 */
export type Route = (request: Request) => Promise<Response | null>;
