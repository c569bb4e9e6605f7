import type { AuthConfig } from '@baton/core';
import { ManualClock, ScriptedModel, type ScriptedStep } from '@baton/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHttpHandler, type HttpHandlerOptions } from '../http-handler.js';
import { httpEvent } from './fixtures.js';
import { lambdaContext } from './lambda-context.js';
import { RecordingQueue, testApp } from './test-baton.js';

/**
 * The HTTP handler over a test app with a scripted model, a recording queue and a ManualClock,
 * and ways to call it: `invoke` with any event, `post` and `get` with an HTTP API 2.0 one.
 */
export function setup(
  script: ScriptedStep[] | ((clock: ManualClock) => ScriptedStep[]),
  options: HttpHandlerOptions = {},
  appOptions: { maxBodyBytes?: number; auth?: AuthConfig } = {},
) {
  const clock = new ManualClock();
  const model = new ScriptedModel(typeof script === 'function' ? script(clock) : script);
  const queue = new RecordingQueue();
  const { app, baton } = testApp({ model, queue, clock, ...appOptions });
  const handler = createHttpHandler(app, { safetyMarginMs: 1_000, ...options });
  /** Invokes the handler `startDelayMs` after the request arrived (a cold start, say). */
  const invoke = async (event: unknown, budgetMs = 20_000, startDelayMs = 0) => {
    const context = (event as APIGatewayProxyEventV2 | null)?.requestContext;
    if (context && typeof context === 'object') context.timeEpoch = clock.now();
    clock.advance(startDelayMs);
    const result = (await handler(
      event as APIGatewayProxyEventV2,
      lambdaContext({ clock, budgetMs }),
    )) as APIGatewayProxyStructuredResultV2;
    return { ...result, json: JSON.parse(String(result.body)) };
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(httpEvent('http-api-v2', { method: 'POST', path, body, headers }));
  const get = (path: string, query = '', headers: Record<string, string> = {}) =>
    invoke(httpEvent('http-api-v2', { method: 'GET', path, query, body: undefined, headers }));
  return { model, queue, app, baton, clock, invoke, post, get };
}
