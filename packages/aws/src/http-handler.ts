import { type Baton, handleHttp } from '@baton/core';
import { handleSlackHttp, type SlackChannel, slackRoute } from '@baton/slack';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { failure, normalizeHttpEvent, toLambdaResult } from './http-event.js';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_SAFETY_MARGIN_MS, DEFAULT_TIMEOUT_EARLY_MS, invocationDeadline } from './lambda-deadline.js';
import { toSlackLambdaResult } from './slack-route.js';

/**
 * API Gateway HTTP APIs give up on an integration after 30 s whatever the function's timeout, so a
 * synchronous answer must be ready before that. Function URLs have no such limit.
 */
export const API_GATEWAY_BUDGET_MS = 29_000;

export interface HttpHandlerOptions {
  /** Kept free before Lambda's deadline for answering; the run plans against the rest. */
  safetyMarginMs?: number;
  /** middy answers 503 this long before Lambda's deadline if the handler is still busy. */
  timeoutEarlyMs?: number;
  /** Body limit passed to core (413 above it). Default: core's DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** A path prefix to strip; default: the literal part of a greedy route key (`ANY /api/{proxy+}`). */
  basePath?: string;
  /**
   * The tenant of an authenticated caller (from the authorizer's claims, say). When it returns a
   * string, the `x-baton-tenant` header is ignored.
   */
  tenant?: (event: APIGatewayProxyEventV2) => string | undefined;
  /** Serves Slack's POSTs to `/slack/events`, `/slack/interactivity`, `/slack/commands` and `/slack`. */
  slack?: SlackChannel;
}

export type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * The Lambda handler for API Gateway HTTP API (payload 2.0) and Function URL events: normalizes the
 * event, calls core's route table with the invocation's deadline (or, for Slack's URLs, the Slack
 * channel, which records and enqueues without running the agent), and returns the response.
 *
 * @example
 * export const handler = createHttpHandler(baton, { safetyMarginMs: 2_000 });
 */
export function createHttpHandler(baton: Baton, options: HttpHandlerOptions = {}): HttpHandler {
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const route = async (event: APIGatewayProxyEventV2, context: Context) => {
    const normalized = normalizeHttpEvent(event, options.basePath ? { basePath: options.basePath } : {});
    if (!normalized.ok) {
      baton.logger.warn('malformed HTTP event', { error: normalized.response.body });
      return toLambdaResult(normalized.response);
    }
    const { method, path, headers } = normalized.request;
    const slackRequest = options.slack ? slackRoute(method, path) : null;
    if (options.slack && slackRequest) {
      // The signature covers the bytes as sent, so Slack gets them before anything parses them.
      const response = await handleSlackHttp(options.slack, {
        ...slackRequest,
        headers,
        rawBody: normalized.rawBody,
      });
      return toSlackLambdaResult(response);
    }
    const deadline = invocationDeadline(context, baton.clock, {
      safetyMarginMs,
      ...(normalized.viaApiGateway ? { capMs: API_GATEWAY_BUDGET_MS } : {}),
    });
    const tenant = options.tenant?.(event);
    const response = await handleHttp(baton, normalized.request, {
      deadline,
      ...(tenant !== undefined ? { tenant } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    return toLambdaResult(response);
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    timeoutEarlyInMillis: options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS,
    // The run stops at its own deadline; reaching this means something ignored it. The input is
    // committed and queued by then, so the client can poll or retry with the same Idempotency-Key.
    timeoutEarlyResponse: () =>
      toLambdaResult(
        failure(503, 'timeout', 'the invocation ran out of time; poll the session or retry', true),
      ),
  }).handler(async (event, context) => {
    const invocation = context?.awsRequestId;
    return withLogFields({ invocation }, async () => {
      try {
        return await route(event, context);
      } catch (error) {
        // handleHttp never throws; this is the adapter's own failure (a tenant resolver, say).
        baton.logger.error('HTTP adapter failed', { error });
        return toLambdaResult(failure(500, 'internal', 'internal error', true));
      }
    });
  });
}
