import type { Agent } from './agent.js';
import type { PendingCall, RunPosition } from './context.js';
import type { EventBody, EventOf, ToolCall, ToolOutcome } from './events.js';
import type { Head } from './head.js';
import type { Json } from './json.js';
import { type CheckedCall, checkCall, needsApproval } from './tool-runner.js';

/** The next step, decided from the live context alone. */
export type NextStep =
  | { type: 'resolve'; events: EventBody[] }
  | { type: 'run_tools'; calls: Extract<CheckedCall, { ok: true }>[]; responseSeq: number }
  | { type: 'delegate'; calls: Extract<CheckedCall, { ok: true }>[]; responseSeq: number }
  /** `waiting`: calls that wait for a decision; `children`: agent-tool calls whose child runs. */
  | { type: 'await_approval'; announce: string[]; waiting: string[]; children: PendingCall[] }
  | { type: 'call_model' }
  | { type: 'finish'; text: string }
  | { type: 'cancel'; cancelSeq: number; events: EventBody[]; release: boolean }
  | { type: 'idle' };

/**
 * Decides what the run does next from the live context alone (pure: the same log always gives the
 * same step). Calls the model cannot make (unknown tools, bad arguments), rejected calls and
 * at-most-once calls whose outcome a crash left unknown are resolved before anything runs.
 */
export function decideNextStep(position: RunPosition, head: Head, agent: Agent): NextStep {
  if (position.cancel) return cancelStep(position, position.cancel);
  if (position.pending.length > 0) return decidePending(position.pending, agent);
  if (position.unansweredInputs.length > 0 || position.resultsAwaitModel || position.outputRejected) {
    return { type: 'call_model' };
  }
  if (position.lastModel && !position.finished && head.status === 'running') {
    return { type: 'finish', text: position.lastModel.text };
  }
  return { type: 'idle' };
}

/**
 * The calls of a model response, not committed yet, that the loop would run as its very next step
 * once the response is committed (what `decideNextStep` decides for them): null when something
 * else comes first (a call to resolve, since it fails its check) or none of them can run now (all
 * wait for approval or are agent-tool calls).
 *
 * @example
 * const now = callsRunAtOnce(response.toolCalls, agent); // null: the loop decides after the commit
 */
export function callsRunAtOnce(calls: ToolCall[], agent: Agent): Extract<CheckedCall, { ok: true }>[] | null {
  const pending: PendingCall[] = calls.map((call) => ({
    call,
    responseSeq: 0,
    tool: agent.tools.find((tool) => tool.name === call.name),
    intent: false,
    decision: undefined,
    announced: false,
  }));
  const step = decidePending(pending, agent);
  return step.type === 'run_tools' ? step.calls : null;
}

function decidePending(pending: PendingCall[], agent: Agent): NextStep {
  const resolved: EventBody[] = [];
  const runnable: Extract<CheckedCall, { ok: true }>[] = [];
  const announce: string[] = [];
  const waiting: string[] = [];
  const delegate: Extract<CheckedCall, { ok: true }>[] = [];
  const children: PendingCall[] = [];
  for (const entry of pending) {
    if (entry.child) {
      children.push(entry);
      continue;
    }
    const { call } = entry;
    const checked = checkCall(call, agent);
    if (!checked.ok) {
      resolved.push(result(call.callId, call.name, 'error', { error: checked.error }));
      continue;
    }
    const unknown = entry.intent;
    if (unknown && agent.policies.unknownOutcome === 'error') {
      resolved.push(
        result(call.callId, call.name, 'unknown', {
          error: `${call.name} was started but its outcome is unknown (the invocation running it stopped). It was not run again; check its effect before retrying.`,
        }),
      );
      continue;
    }
    if (needsApproval(checked) || unknown) {
      if (!entry.decision) {
        waiting.push(call.callId);
        if (!entry.announced) announce.push(call.callId);
        continue;
      }
      if (!entry.decision.approved) {
        const by = entry.decision.by ? ` by ${entry.decision.by}` : '';
        const why = entry.decision.reason ? `: ${entry.decision.reason}` : '';
        resolved.push(
          result(call.callId, call.name, 'rejected', { error: `the call was rejected${by}${why}` }),
        );
        continue;
      }
    }
    if (checked.tool.delegate) delegate.push(checked);
    else runnable.push(checked);
  }
  if (resolved.length > 0) return { type: 'resolve', events: resolved };
  const responseSeq = pending[0]!.responseSeq;
  if (runnable.length > 0) return { type: 'run_tools', calls: runnable, responseSeq };
  if (delegate.length > 0) return { type: 'delegate', calls: delegate, responseSeq };
  return { type: 'await_approval', announce, waiting, children };
}

/**
 * Ends the cancelled run: every call still without a result gets one (an at-most-once call that
 * was started, an unknown outcome; any other, rejected as not run), so the model's history stays
 * well formed, then `run_finished` (cancelled). The lease is released with it unless input came
 * after the cancel (`release` false: the loop goes on and answers it).
 */
function cancelStep(position: RunPosition, cancel: EventOf<'cancel'>): NextStep {
  const by = cancel.by ? ` by ${cancel.by}` : '';
  const events: EventBody[] = position.pending.map(({ call, intent, child }) =>
    child
      ? {
          ...result(call.callId, call.name, 'error', {
            error: `the run was cancelled${by}; the child session ${child} is cancelled too`,
          }),
          child,
        }
      : intent
        ? result(call.callId, call.name, 'unknown', {
            error: `${call.name} was started, but the run was cancelled${by} before its result was recorded; it was not run again. Check its effect before retrying.`,
          })
        : result(call.callId, call.name, 'rejected', {
            error: `the run was cancelled${by}; this call was not run`,
          }),
  );
  events.push({ kind: 'run_finished', reason: 'cancelled', text: '' });
  return { type: 'cancel', cancelSeq: cancel.seq, events, release: position.unansweredInputs.length === 0 };
}

export function result(
  callId: string,
  name: string,
  outcome: ToolOutcome,
  output: Json,
): Extract<EventBody, { kind: 'tool_result' }> {
  return { kind: 'tool_result', callId, name, outcome, output, durationMs: 0 };
}
