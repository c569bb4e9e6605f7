import { createHash, randomUUID } from 'node:crypto';
import type { Identity } from '../auth/identity.js';
import type { Baton, InputRequest } from '../baton.js';
import { isBatonError, isRetryable } from '../errors.js';
import type { ToolCall } from '../events.js';
import { idempotencyHash } from '../idempotency.js';
import type { JsonObject } from '../json.js';
import { openSessionStream } from '../live/session-stream.js';
import { refKey, type SessionRef, sessionRef } from '../session-ref.js';
import { openAiError } from './openai-errors.js';
import type { OpenAiRouteOptions } from './openai-route.js';
import { type ResponseEcho, readResponse, responseEnds } from './response-builder.js';
import { type ResponseStreamEvent, responseEvents } from './response-events.js';
import { callIdOfApproval, parseResponseId, type ResponsePosition, responseNotFound } from './response-id.js';
import type { ResponseRequest } from './response-request.js';
import { waitForResponse } from './wait-response.js';

/** A response about to be answered: where it starts, and the run this request started for it. */
export interface StartedResponse {
  position: ResponsePosition;
  echo: ResponseEcho;
  /** The run this request started (null: a duplicate, or the run is elsewhere). */
  running: Promise<unknown> | null;
  /** Calls decided before this response, for the names and arguments of their results. */
  knownCalls: Map<string, ToolCall>;
}

/**
 * Records what a `POST /v1/responses` asks (the user's text as an input of the session, or the
 * decisions of its `mcp_approval_response` items) and starts the run, without waiting for it.
 * The session: `previous_response_id`'s, else `conversation`, else a new one (`conv_...`, derived
 * from the Idempotency-Key when there is one so a retry finds it). Retries are deduplicated on the
 * Idempotency-Key header, else on the previous response and the text (a client retrying the same
 * continuation gets the same response); decisions dedupe on the call.
 *
 * @example
 *   const started = await startResponse(baton, request, { identity, idempotencyKey, deadline });
 */
export async function startResponse(
  baton: Baton,
  request: ResponseRequest,
  context: { identity: Identity; idempotencyKey: string | undefined; deadline: number },
): Promise<StartedResponse> {
  const tenant = context.identity.tenant;
  const previous = request.previousResponseId
    ? await previousPosition(baton, tenant, request.previousResponseId)
    : undefined;
  const ref = previous?.ref ?? sessionOf(tenant, request.conversation, context.idempotencyKey);
  const head = await baton.store.readHead(ref);
  if (head && head.agent !== request.model) {
    throw openAiError(
      400,
      `conversation ${ref.sessionId} belongs to the agent '${head.agent}'; send model: '${head.agent}'`,
      'model_mismatch',
      'model',
    );
  }
  const echo: ResponseEcho = {
    model: request.model,
    previousResponseId: request.previousResponseId ?? null,
    ...(request.metadata ? { metadata: request.metadata } : {}),
  };
  if (request.approvals.length > 0 && previous)
    return decide(baton, previous, request, context.identity, echo, context.deadline);
  const input: InputRequest = {
    text: request.text,
    source: 'openai',
    agent: request.model,
    sender: context.identity.user,
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.output ? { output: request.output } : {}),
    ...dedupe(ref, request, context.idempotencyKey),
  };
  const { submit, running } = await baton.startTurn(ref, input, { deadline: context.deadline });
  return {
    position: { ref, seq: submit.inputSeq },
    echo,
    running: quiet(baton, ref, running),
    knownCalls: new Map(),
  };
}

/** The JSON answer: the response once its run ended, or `in_progress` after the host's wait. */
export async function answerResponse(
  baton: Baton,
  started: StartedResponse,
  options: OpenAiRouteOptions,
): Promise<JsonObject> {
  await waitForResponse(baton, started.position, started.running, options);
  return readResponse(baton, started.position, started.echo);
}

/** The streamed answer: the session's stream from the response's position, as Responses API events. */
export async function streamResponse(
  baton: Baton,
  started: StartedResponse,
  options: OpenAiRouteOptions,
): Promise<AsyncGenerator<ResponseStreamEvent>> {
  const maxDurationMs = Math.max(
    0,
    Math.min(options.stream?.maxDurationMs ?? 300_000, options.deadline - baton.clock.now()),
  );
  const source = await openSessionStream(baton, started.position.ref, {
    ...options.stream,
    maxDurationMs,
    cursor: { through: started.position.seq - 1 },
    until: responseEnds(started.position.seq),
    ...(started.running ? { settle: started.running } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return responseEvents(baton, started.position, started.echo, source, started.knownCalls);
}

/** `GET /v1/responses/{id}`: the response as the log has it now. */
export async function retrieveResponse(baton: Baton, tenant: string, id: string): Promise<JsonObject> {
  const started = await existingResponse(baton, tenant, id);
  return readResponse(baton, started.position, started.echo);
}

/**
 * A response already answered or under way, to stream again (`GET /v1/responses/{id}?stream=true`,
 * the SDK's `responses.stream({ response_id })`): every event from its start, then live.
 */
export async function existingResponse(baton: Baton, tenant: string, id: string): Promise<StartedResponse> {
  const position = parseResponseId(tenant, id, 'response_id');
  const head = await baton.store.readHead(position.ref);
  if (!head) throw responseNotFound(id);
  // Checks the position (a 404 for one that is no response) before anything is streamed.
  await readResponse(baton, position, { model: head.agent });
  const knownCalls = new Map<string, ToolCall>();
  const from = Math.max(0, position.seq - 1 - 200);
  for (const event of await baton.store.readEvents(position.ref, {
    afterSeq: from,
    limit: position.seq - 1 - from,
  })) {
    if (event.kind === 'model_response')
      for (const call of event.toolCalls) knownCalls.set(call.callId, call);
  }
  return { position, echo: { model: head.agent }, running: null, knownCalls };
}

async function decide(
  baton: Baton,
  previous: ResponsePosition,
  request: ResponseRequest,
  identity: Identity,
  echo: ResponseEcho,
  deadline: number,
): Promise<StartedResponse> {
  const ref = previous.ref;
  const view = await baton.session(ref);
  const knownCalls = new Map<string, ToolCall>(
    view.pendingApprovals.map((pending) => [
      pending.callId,
      { callId: pending.callId, name: pending.tool, arguments: pending.arguments },
    ]),
  );
  const callIds = new Set<string>();
  for (const answer of request.approvals) {
    const callId = callIdOfApproval(answer.approvalRequestId);
    callIds.add(callId);
    await baton.decide(ref, {
      callId,
      approved: answer.approve,
      identity,
      ...(answer.reason ? { reason: answer.reason } : {}),
    });
  }
  const seq = await firstDecision(baton, ref, previous.seq, callIds);
  const running = quiet(baton, ref, baton.run(ref, { deadline }));
  return { position: { ref, seq }, echo, running, knownCalls };
}

/** The seq of the first decision on one of `callIds` after `after` (a retried decision finds the first's). */
async function firstDecision(
  baton: Baton,
  ref: SessionRef,
  after: number,
  callIds: Set<string>,
): Promise<number> {
  for (let from = after; ; ) {
    const page = await baton.store.readEvents(ref, { afterSeq: from, limit: 200 });
    const found = page.find((event) => event.kind === 'decision' && callIds.has(event.callId));
    if (found) return found.seq;
    if (page.length < 200)
      throw openAiError(409, 'the approval was not recorded; retry the request', 'approval_not_recorded');
    from = page.at(-1)!.seq;
  }
}

async function previousPosition(baton: Baton, tenant: string, id: string): Promise<ResponsePosition> {
  const position = parseResponseId(tenant, id, 'previous_response_id');
  const [event] = await baton.store.readEvents(position.ref, { afterSeq: position.seq - 1, limit: 1 });
  if (!event || event.seq !== position.seq || (event.kind !== 'input' && event.kind !== 'decision')) {
    throw responseNotFound(id, 'previous_response_id');
  }
  return position;
}

function sessionOf(
  tenant: string,
  conversation: string | undefined,
  idempotencyKey: string | undefined,
): SessionRef {
  if (conversation === undefined) {
    const id = idempotencyKey
      ? sha(`${tenant}\n${idempotencyKey}`).slice(0, 32)
      : randomUUID().replaceAll('-', '');
    return sessionRef(tenant, `conv_${id}`);
  }
  try {
    return sessionRef(tenant, conversation);
  } catch (error) {
    throw openAiError(
      400,
      isBatonError(error) ? `conversation: ${error.message}` : 'invalid conversation',
      'invalid_request_error',
      'conversation',
    );
  }
}

function dedupe(
  ref: SessionRef,
  request: ResponseRequest,
  idempotencyKey: string | undefined,
): Partial<InputRequest> {
  const key = idempotencyKey
    ? `openai:${idempotencyKey}`
    : request.previousResponseId
      ? `openai:after:${request.previousResponseId}:${sha(request.text).slice(0, 32)}`
      : undefined;
  if (!key) return {};
  const requestHash = idempotencyHash({
    method: 'POST',
    route: '/v1/responses',
    tenant: ref.tenant,
    body: { session: ref.sessionId, model: request.model, text: request.text },
  });
  return { dedupeKey: key, requestHash };
}

/** A run's failure is logged (the enqueued message retries it); the stream or the answer goes on from the log. */
function quiet(baton: Baton, ref: SessionRef, running: Promise<unknown> | null): Promise<unknown> | null {
  return (
    running?.then(
      () => undefined,
      (error: unknown) =>
        baton.logger[isRetryable(error) ? 'warn' : 'error']('OpenAI-compatible run failed', {
          session: refKey(ref),
          error,
        }),
    ) ?? null
  );
}

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
