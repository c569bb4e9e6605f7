import type { Identity } from '../auth/identity.js';
import type { Baton } from '../baton.js';
import { BatonError, ValidationError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { SessionRef } from '../session-ref.js';
import { cancelSchedule, listSchedules, setSchedule } from './schedule-commits.js';
import type { ScheduleRequest } from './schedule-spec.js';

/**
 * The schedule routes of the HTTP API (http-routes.ts hands them `rest`, the path after the
 * session):
 *
 *   POST   /sessions/{id}/schedules               {text, at | delaySeconds | cron, timezone?, agent?}
 *   GET    /sessions/{id}/schedules
 *   DELETE /sessions/{id}/schedules/{scheduleId}
 */
export async function scheduleRoute(
  baton: Baton,
  ref: SessionRef,
  request: {
    method: string;
    rest: string[];
    identity: Identity;
    idempotencyKey: string | undefined;
    body: () => JsonObject;
  },
): Promise<{ status: number; body: JsonObject }> {
  const { method, rest } = request;
  if (rest.length === 1) {
    if (method === 'GET') {
      return {
        status: 200,
        body: { schedules: (await listSchedules(baton, ref)) as unknown as JsonObject[] },
      };
    }
    if (method !== 'POST') throw methodNotAllowed(method, 'GET or POST');
    const body = request.body();
    const agent = optionalString(body, 'agent');
    const set = await setSchedule(baton, ref, scheduleRequest(body), {
      agent: agent ?? baton.defaultAgentName,
      by: `api:${request.identity.user}`,
      ...(agent ? { requireAgent: agent } : {}),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    return {
      status: set.duplicate ? 200 : 201,
      body: {
        scheduleId: set.scheduleId,
        nextAt: new Date(set.dueAt).toISOString(),
        duplicate: set.duplicate,
      },
    };
  }
  if (method !== 'DELETE') throw methodNotAllowed(method, 'DELETE');
  await cancelSchedule(baton, ref, rest[1]!, `api:${request.identity.user}`);
  return { status: 200, body: { cancelled: true } };
}

function scheduleRequest(body: JsonObject): ScheduleRequest {
  if (typeof body.text !== 'string') throw new ValidationError('text must be a string', { field: 'text' });
  const at = body.at;
  if (at !== undefined && typeof at !== 'string' && typeof at !== 'number') {
    throw new ValidationError('at must be an ISO 8601 time or epoch milliseconds', { field: 'at' });
  }
  const delaySeconds = body.delaySeconds;
  if (delaySeconds !== undefined && typeof delaySeconds !== 'number') {
    throw new ValidationError('delaySeconds must be a number', { field: 'delaySeconds' });
  }
  const cron = optionalString(body, 'cron');
  const timezone = optionalString(body, 'timezone');
  return {
    text: body.text,
    ...(at !== undefined ? { at } : {}),
    ...(delaySeconds !== undefined ? { delayMs: delaySeconds * 1000 } : {}),
    ...(cron !== undefined ? { cron } : {}),
    ...(timezone !== undefined ? { timezone } : {}),
  };
}

function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`, { field });
  return value;
}

function methodNotAllowed(method: string, allowed: string): BatonError {
  return new BatonError('method_not_allowed', `${method} is not allowed here; use ${allowed}`, {
    status: 405,
  });
}
