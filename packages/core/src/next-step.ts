import type { Agent } from './agent.js';
import type { PendingCall, RunPosition } from './context.js';
import type { EventBody, ToolOutcome } from './events.js';
import type { Head } from './head.js';
import type { Json } from './json.js';
import { type CheckedCall, checkCall, needsApproval } from './tool-runner.js';

/** The next step, decided from the live context alone. */
export type NextStep =
  | { type: 'resolve'; events: EventBody[] }
  | { type: 'run_tools'; calls: Extract<CheckedCall, { ok: true }>[]; responseSeq: number }
  | { type: 'await_approval'; announce: string[]; waiting: string[] }
  | { type: 'call_model' }
  | { type: 'finish'; text: string }
  | { type: 'idle' };

/**
 * Decides what the run does next from the live context alone (pure: the same log always gives the
 * same step). Calls the model cannot make (unknown tools, bad arguments), rejected calls and
 * at-most-once calls whose outcome a crash left unknown are resolved before anything runs.
 */
export function decideNextStep(position: RunPosition, head: Head, agent: Agent): NextStep {
  if (position.pending.length > 0) return decidePending(position.pending, agent);
  if (position.unansweredInputs.length > 0 || position.resultsAwaitModel) return { type: 'call_model' };
  if (position.lastModel && !position.finished && head.status === 'running') {
    return { type: 'finish', text: position.lastModel.text };
  }
  return { type: 'idle' };
}

function decidePending(pending: PendingCall[], agent: Agent): NextStep {
  const resolved: EventBody[] = [];
  const runnable: Extract<CheckedCall, { ok: true }>[] = [];
  const announce: string[] = [];
  const waiting: string[] = [];
  for (const entry of pending) {
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
    runnable.push(checked);
  }
  if (resolved.length > 0) return { type: 'resolve', events: resolved };
  if (runnable.length > 0)
    return { type: 'run_tools', calls: runnable, responseSeq: pending[0]!.responseSeq };
  return { type: 'await_approval', announce, waiting };
}

export function result(
  callId: string,
  name: string,
  outcome: ToolOutcome,
  output: Json,
): Extract<EventBody, { kind: 'tool_result' }> {
  return { kind: 'tool_result', callId, name, outcome, output, durationMs: 0 };
}
