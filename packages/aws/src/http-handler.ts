// Types only: the console's code loads with import(), and only when BATON_CONSOLE is set.
import type { HostedConsole } from '@baton/console/hosted';
import type { AppHost, BatonApp, BatonDefinition } from '@baton/core';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorResult, normalizeHttpEvent, toLambdaResult } from './http-event.js';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_SAFETY_MARGIN_MS, DEFAULT_TIMEOUT_EARLY_MS, invocationDeadline } from './lambda-deadline.js';

/**
 * API Gateway HTTP APIs give up on an integration 30 s after the request arrived, whatever the
 * function's timeout, so a synchronous answer must be ready before that. Function URLs have no such limit.
 */
export const API_GATEWAY_BUDGET_MS = 29_000;

export interface HttpHandlerOptions {
  /** Kept free before the deadline for answering; the run plans against the rest. */
  safetyMarginMs?: number;
  /** middy answers 503 this long before Lambda's deadline if the handler is still busy. */
  timeoutEarlyMs?: number;
  /** A path prefix to strip; default: the literal part of a greedy route key (`ANY /api/{proxy+}`). */
  basePath?: string;
  /**
   * The web console's app (see `consoleLoader`): requests under /console, and requests carrying
   * its sign-in cookie (the pages' Approve / Reject calls), go to it; null means it is off.
   */
  console?: () => Promise<HostedConsole | null>;
}

export type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * The Lambda handler for API Gateway HTTP API (payload 2.0) and Function URL events: the event as
 * a Request, `app.fetch` with the time the request has left, the Response as Lambda's result.
 * Who the caller is stays the app's decision: the handler hands it only the claims API Gateway's
 * JWT authorizer verified (`requestContext.authorizer.jwt.claims`, for `platformAuth`), never a
 * tenant or identity read from the request.
 *
 * @example
 * export const handler = createHttpHandler(app, { safetyMarginMs: 2_000 });
 */
export function createHttpHandler(app: BatonApp, options: HttpHandlerOptions = {}): HttpHandler {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    timeoutEarlyInMillis: options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS,
    // The run stops at its own deadline; reaching this means something ignored it. The input is
    // committed and queued by then, so the client can poll or retry with the same Idempotency-Key.
    timeoutEarlyResponse: () =>
      errorResult(503, 'timeout', 'the invocation ran out of time; poll the session or retry', true),
  }).handler((event, context) =>
    withLogFields({ invocation: context?.awsRequestId }, async () => {
      const answer = await fetchHttpEvent(app, event, context, options);
      if (!answer.ok) return answer.result;
      try {
        return await toLambdaResult(answer.response);
      } catch (error) {
        app.baton.logger.error('HTTP adapter failed', { error });
        return errorResult(500, 'internal', 'internal error', true);
      }
    }),
  );
}

/** The app's Response to an HTTP event, or the result the adapter answers itself (a malformed event, a bug). */
export type HttpEventAnswer =
  | { ok: true; response: Response }
  | { ok: false; result: APIGatewayProxyStructuredResultV2 };

/**
 * The shared half of the buffered and the streaming handler: the event as a Request, the deadline
 * the invocation allows, and the app's (or the console's) Response, its body not yet read.
 *
 * @example
 * const answer = await fetchHttpEvent(app, event, context, {});
 * if (answer.ok) console.log(answer.response.status);
 */
export async function fetchHttpEvent(
  app: BatonApp,
  event: APIGatewayProxyEventV2,
  context: Context | undefined,
  options: HttpHandlerOptions,
): Promise<HttpEventAnswer> {
  const { logger, clock } = app.baton;
  const normalized = normalizeHttpEvent(event, options.basePath ? { basePath: options.basePath } : {});
  if (!normalized.ok) {
    logger.warn('malformed HTTP event', { error: normalized.result.body });
    return normalized;
  }
  try {
    const deadline = invocationDeadline(context, clock, {
      safetyMarginMs: options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS,
      ...(normalized.viaApiGateway
        ? { capMs: API_GATEWAY_BUDGET_MS, startedAt: normalized.arrivedAt ?? clock.now() }
        : {}),
    });
    const { platformClaims } = normalized;
    const target = (isConsoleRequest(normalized.request) && (await options.console?.())) || app;
    const response = await target.fetch(normalized.request, {
      deadline,
      ...(platformClaims ? { platformClaims } : {}),
    });
    return { ok: true, response };
  } catch (error) {
    // The app answers its own errors; reaching this is a bug in the adapter or the app.
    logger.error('HTTP adapter failed', { error });
    return { ok: false, result: errorResult(500, 'internal', 'internal error', true) };
  }
}

/**
 * The console for `createHttpHandler`'s `console` option: `@baton/console/hosted` imported on the
 * first console request and built once (the same definition and host as the app, plus the
 * console's routes and sign-in cookie). Its code never loads for the API's own requests.
 *
 * @example
 * const http = createHttpHandler(app, { console: consoleLoader(definition, host) });
 */
export function consoleLoader(
  definition: BatonDefinition,
  host: AppHost,
): () => Promise<HostedConsole | null> {
  let loaded: Promise<HostedConsole | null> | undefined;
  return () => {
    loaded ??= import('@baton/console/hosted')
      .then(({ hostedConsole }) => hostedConsole(definition, host))
      .catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
    return loaded;
  };
}

/** Under /console, or carrying the console's cookie (`baton_console`, the name @baton/console sets). */
function isConsoleRequest(request: Request): boolean {
  const { pathname } = new URL(request.url);
  if (pathname === '/console' || pathname.startsWith('/console/')) return true;
  return /(^|;\s*)baton_console=/.test(request.headers.get('cookie') ?? '');
}
