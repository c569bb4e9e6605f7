import { BatonError } from '@baton/core';

export type SlackSignatureFailure =
  | 'missing_headers'
  | 'malformed_headers'
  | 'stale_timestamp'
  | 'bad_signature';

/** The request did not prove it came from Slack: answered 401 and nothing is recorded. */
export class SlackSignatureError extends BatonError {
  readonly reason: SlackSignatureFailure;
  constructor(reason: SlackSignatureFailure, message: string) {
    super(`slack_${reason}`, message, { status: 401, retryable: false });
    this.reason = reason;
  }
}

/** A signed request whose body Baton cannot read (bad JSON, bad form, unexpected shape). */
export class SlackRequestError extends BatonError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, { status, retryable: false });
  }
}

/**
 * Slack's Web API refused a delivery. `retryable` is false for configuration problems (a revoked
 * token, a missing scope): retrying cannot help until someone fixes the app.
 */
export class SlackDeliveryError extends BatonError {
  readonly slackError: string;
  constructor(slackError: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super('slack_delivery_failed', message, {
      status: 502,
      retryable: options.retryable,
      cause: options.cause,
      details: { slackError },
    });
    this.slackError = slackError;
  }
}
