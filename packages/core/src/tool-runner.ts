import type { Agent } from './agent.js';
import type { ToolCall, ToolOutcome } from './events.js';
import type { Head } from './head.js';
import type { Json, JsonObject } from './json.js';
import type { Logger } from './logger.js';
import { redactSecrets } from './redact.js';
import { CallSchedules } from './schedules/tool-schedules.js';
import { refKey, type SessionRef } from './session-ref.js';
import { type Tool, type ToolContext, ToolOutcomeUnknownError, type ToolState } from './tool.js';

/** A call checked against the agent's tools: either ready to run with parsed arguments, or an error for the model. */
export type CheckedCall =
  | { ok: true; call: ToolCall; tool: Tool; args: unknown }
  | { ok: false; call: ToolCall; error: string };

/** Unknown tools, unparsable JSON and arguments that fail the schema become errors the model sees, never crashes. */
export function checkCall(call: ToolCall, agent: Agent): CheckedCall {
  const tool = agent.tools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    const known = agent.tools.map((candidate) => candidate.name).join(', ') || 'none';
    return { ok: false, call, error: `unknown tool "${call.name}"; available tools: ${known}` };
  }
  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return {
      ok: false,
      call,
      error: `arguments for ${call.name} are not valid JSON: ${(error as Error).message}`,
    };
  }
  const parsed = tool.parameters.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    return { ok: false, call, error: `invalid arguments for ${call.name}: ${issues.join('; ')}` };
  }
  return { ok: true, call, tool, args: parsed.data };
}

export function needsApproval(checked: CheckedCall): boolean {
  if (!checked.ok) return false;
  const rule = checked.tool.needsApproval;
  return typeof rule === 'function' ? rule(checked.args) : rule;
}

/** Tool state for one call: reads see the committed state plus this call's own writes. */
export class CallState implements ToolState {
  readonly patch: JsonObject = {};
  constructor(private readonly base: JsonObject) {}

  get<T extends Json = Json>(key: string): T | undefined {
    if (Object.hasOwn(this.patch, key)) return (this.patch[key] ?? undefined) as T | undefined;
    return this.base[key] as T | undefined;
  }
  set(key: string, value: Json): void {
    this.patch[key] = structuredClone(value);
  }
  delete(key: string): void {
    this.patch[key] = null;
  }
  all(): JsonObject {
    return applyPatch(this.base, this.patch);
  }
}

/** Applies a state patch: null deletes a key. */
export function applyPatch(state: JsonObject, patch: JsonObject): JsonObject {
  const next: JsonObject = { ...state };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

export interface ToolRunResult {
  outcome: ToolOutcome;
  output: Json;
  statePatch: JsonObject;
  durationMs: number;
  /** Schedules the call set or cancelled (only when it returned ok), committed with its result. */
  schedules?: CallSchedules;
}

/**
 * Runs one validated call with its context. A throw becomes an error result. A timeout or deadline
 * abort is an error for an idempotent tool and an unknown outcome for an at-most-once tool, because
 * the call may have taken effect.
 */
export async function runTool(
  checked: Extract<CheckedCall, { ok: true }>,
  options: {
    ref: SessionRef;
    /** Seq of the model response that made the call: with the call id, unique in the session. */
    responseSeq: number;
    state: JsonObject;
    deadlineSignal: AbortSignal;
    /** Aborts when the run lost its lease: the result could not be committed anyway. */
    leaseLost?: AbortSignal;
    /** Aborts when the run is cancelled: the call stops, its outcome recorded as for a timeout. */
    cancelled?: AbortSignal;
    logger: Logger;
    now: () => number;
    /** The session's active schedules, for ctx.schedule's limit and ctx.cancelSchedule. */
    schedules?: Head['schedules'];
  },
): Promise<ToolRunResult> {
  const { tool, call } = checked;
  const state = new CallState(options.state);
  const timeout = AbortSignal.timeout(tool.timeoutMs);
  const signal = AbortSignal.any([
    options.deadlineSignal,
    timeout,
    ...(options.leaseLost ? [options.leaseLost] : []),
    ...(options.cancelled ? [options.cancelled] : []),
  ]);
  const idempotencyKey = `${refKey(options.ref)}/${options.responseSeq}/${call.callId}`;
  const schedules = new CallSchedules({
    ref: options.ref,
    idempotencyKey,
    toolName: tool.name,
    active: options.schedules ?? [],
    now: options.now,
  });
  const context: ToolContext = {
    session: options.ref,
    callId: call.callId,
    idempotencyKey,
    state,
    schedule: (request) => schedules.schedule(request),
    cancelSchedule: (scheduleId) => schedules.cancelSchedule(scheduleId),
    signal,
    logger: options.logger.child({ tool: tool.name, callId: call.callId }),
  };
  const started = options.now();
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    const output = await Promise.race([
      Promise.resolve().then(() => tool.execute(checked.args, context)),
      aborted,
    ]);
    return {
      outcome: 'ok',
      output: toJson(output),
      statePatch: state.patch,
      durationMs: options.now() - started,
      ...(schedules.empty ? {} : { schedules }),
    };
  } catch (error) {
    const durationMs = options.now() - started;
    // Another writer took the session over: this result is never committed (the run is fenced).
    if (options.leaseLost?.aborted) throw options.leaseLost.reason;
    if (signal.aborted) {
      const what = timeout.aborted
        ? `timed out after ${tool.timeoutMs} ms`
        : options.cancelled?.aborted
          ? 'was stopped because the run was cancelled'
          : 'was stopped at the invocation deadline';
      if (tool.execution === 'at-most-once') {
        return {
          outcome: 'unknown',
          output: {
            error: `${tool.name} ${what}; it may or may not have taken effect and was not run again`,
          },
          statePatch: {},
          durationMs,
        };
      }
      return { outcome: 'error', output: { error: `${tool.name} ${what}` }, statePatch: {}, durationMs };
    }
    options.logger.warn('tool failed', { tool: tool.name, callId: call.callId, error });
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ToolOutcomeUnknownError && tool.execution === 'at-most-once') {
      return {
        outcome: 'unknown',
        output: {
          error: redactSecrets(
            `${tool.name} failed: ${message}; it may or may not have taken effect and was not run again`,
          ),
        },
        statePatch: {},
        durationMs,
      };
    }
    return {
      outcome: 'error',
      // A tool's error may quote the credentials of the service it called.
      output: { error: redactSecrets(`${tool.name} failed: ${message}`) },
      statePatch: {},
      durationMs,
    };
  }
}

function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}
