import type { EventBody, ToolCall } from './events.js';
import type { Head } from './head.js';
import { callsRunAtOnce, result } from './next-step.js';
import type { RunContext } from './run-context.js';
import { applyPatch, type CheckedCall, runTool } from './tool-runner.js';
import { recordError, SpanKind, withSpan } from './tracing.js';

type Runnable = Extract<CheckedCall, { ok: true }>;

/**
 * A model response's calls whose at-most-once intents were committed with the response: the loop
 * starts them at once (`runTools` with `intentsCommitted`), before anything else.
 */
export interface ToolsAtOnce {
  kind: 'run_tools';
  calls: Runnable[];
  responseSeq: number;
}

/**
 * The at-most-once intents that can ride in the commit of the model response making the calls,
 * saving the intent's own write: only when this invocation starts those calls right after that
 * commit, which is when the loop would run them as its very next step anyway (none fails its check,
 * none waits for approval), no cancel is known, and the run's time budget lets them start now;
 * and one of them is at-most-once (a parallel batch of several keeps its own intent commit).
 * Otherwise null: the response is committed alone and the loop decides as before (a call that
 * waits for approval, or for the next invocation, must not have an intent, which would make it
 * an unknown outcome without ever running).
 *
 * @example
 * const merged = intentsWithResponse(run, response.toolCalls);
 * await run.commit([response, ...(merged?.intents ?? [])]);
 */
export function intentsWithResponse(
  run: RunContext,
  toolCalls: ToolCall[],
): { calls: Runnable[]; intents: EventBody[] } | null {
  if (run.cancelSignal.aborted || run.writer.cancelPending) return null;
  const calls = callsRunAtOnce(toolCalls, run.agent);
  if (!calls) return null;
  const intents = intentsOf(calls);
  // One at-most-once call per response: a parallel batch of them keeps its own intent commit for
  // now. Merging a batch is as safe, but the crash points the reliability suite samples on DynamoDB
  // and Cosmos find commits by shape and would lose the batch's; that suite changes first.
  if (intents.length !== 1) return null;
  if (!run.fits(neededMs(calls))) return null;
  return { calls, intents };
}

/** The time the calls need to start now: the longest of their timeouts. */
export function neededMs(calls: Runnable[]): number {
  return Math.max(...calls.map((checked) => checked.tool.timeoutMs));
}

function intentsOf(calls: Runnable[]): EventBody[] {
  return calls
    .filter((checked) => checked.tool.execution === 'at-most-once')
    .map((checked) => ({ kind: 'tool_intent', callId: checked.call.callId, name: checked.call.name }));
}

/**
 * Runs the checked calls of one model response in parallel and records each result (with the tool
 * state it changed) as it finishes: an at-most-once tool's committed at once, an idempotent tool's
 * staged for the next step's commit. At-most-once tools first get their intent committed, so a
 * crash can never lead to a second execution: here, or (`intentsCommitted`) already with the
 * model response (`intentsWithResponse`).
 *
 * With `intentsCommitted` the caller awaits nothing between that commit and this call, and nothing
 * here awaits before the tools start (no store read, no model call, only microtasks): a crash in
 * between, the only time an intent stands for a call that did not start, is as short as a crash
 * between today's separate intent commit and the tools' start, and ends the same way (unknown).
 */
export async function runTools(
  run: RunContext,
  calls: Runnable[],
  responseSeq: number,
  intentsCommitted = false,
): Promise<void> {
  if (run.cancelSignal.aborted) {
    // A cancel learned while the response with the intents was being committed: the calls never
    // start, and their results say so (a crash before this commit leaves them unknown).
    if (intentsCommitted) await run.commit(notRun(calls), undefined, undefined, true);
    // No tool starts after a cancel this run knows of (the intent commit below would refuse too).
    throw run.cancelSignal.reason;
  }
  const intents = intentsCommitted ? [] : intentsOf(calls);
  // Intents first: after this commit a crash can no longer lead to a second execution.
  if (intents.length > 0) await run.commit(intents);
  // A heartbeat renews the (short) lease while tools run; a lost lease aborts them.
  await run.writer.keepAlive((lost) => runEach(run, calls, responseSeq, lost));
}

/** Results for at-most-once calls whose intent was committed but that never started. */
function notRun(calls: Runnable[]): EventBody[] {
  return calls
    .filter((checked) => checked.tool.execution === 'at-most-once')
    .map((checked) =>
      result(checked.call.callId, checked.call.name, 'rejected', {
        error: 'the run was cancelled; this call was not run',
      }),
    );
}

async function runEach(
  run: RunContext,
  calls: Runnable[],
  responseSeq: number,
  lost: AbortSignal,
): Promise<void> {
  await Promise.all(
    calls.map(async (checked) => {
      const outcome = await withSpan(
        `execute_tool ${checked.tool.name}`,
        run.traceContext,
        SpanKind.INTERNAL,
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': checked.tool.name,
          'gen_ai.tool.call.id': checked.call.callId,
          'gen_ai.tool.type': 'function',
          'baton.tool.execution': checked.tool.execution,
        },
        async (span) => {
          const ran = await runTool(checked, {
            ref: run.writer.ref,
            responseSeq,
            state: run.writer.head.toolState,
            deadlineSignal: run.deadlineSignal,
            leaseLost: lost,
            cancelled: run.cancelSignal,
            logger: run.logger,
            now: () => run.deps.clock.now(),
            schedules: run.writer.head.schedules,
          });
          span.setAttribute('baton.tool.outcome', ran.outcome);
          if (ran.outcome !== 'ok') recordError(span, new Error(JSON.stringify(ran.output)));
          return ran;
        },
      );
      const patch = outcome.statePatch;
      const event = {
        ...result(checked.call.callId, checked.call.name, outcome.outcome, outcome.output),
        durationMs: outcome.durationMs,
        ...(Object.keys(patch).length > 0 ? { statePatch: patch } : {}),
      };
      const update =
        Object.keys(patch).length > 0
          ? (head: Head) => ({ ...head, toolState: applyPatch(head.toolState, patch) })
          : undefined;
      if (outcome.schedules) {
        // Written at once with the schedules the call set: each slot names its event's seq, and
        // their wake-ups, already sent, find them as soon as the lease is released.
        const changes = await outcome.schedules.changes(run.deps);
        const both = (head: Head) => changes.update(update ? update(head) : head);
        await run.commit([event, ...changes.events], both);
        return;
      }
      // An at-most-once result is written at once: a crash before its commit would leave only the
      // intent, an unknown outcome. An idempotent one waits for the next step's commit (the model's
      // next response, or the answer with the release): a crash before it runs the tool again.
      // After a cancel too: the result records what the started call did (or that it is unknown).
      if (checked.tool.execution === 'at-most-once') await run.commit([event], update, undefined, true);
      else run.stage(event, update);
    }),
  );
}
