import type { Head } from './head.js';
import { result } from './next-step.js';
import type { RunContext } from './run-context.js';
import { applyPatch, type CheckedCall, runTool } from './tool-runner.js';
import { recordError, SpanKind, withSpan } from './tracing.js';

/**
 * Runs the checked calls of one model response in parallel and records each result (with the tool
 * state it changed) as it finishes: an at-most-once tool's committed at once, an idempotent tool's
 * staged for the next step's commit. At-most-once tools first get their intent committed, so a
 * crash can never lead to a second execution.
 */
export async function runTools(
  run: RunContext,
  calls: Extract<CheckedCall, { ok: true }>[],
  responseSeq: number,
): Promise<void> {
  // No tool starts after a cancel this run knows of (the intent commit below would refuse too).
  if (run.cancelSignal.aborted) throw run.cancelSignal.reason;
  const atMostOnce = calls.filter((checked) => checked.tool.execution === 'at-most-once');
  // Intents first: after this commit a crash can no longer lead to a second execution.
  if (atMostOnce.length > 0) {
    await run.commit(
      atMostOnce.map((checked) => ({
        kind: 'tool_intent',
        callId: checked.call.callId,
        name: checked.call.name,
      })),
    );
  }
  // A heartbeat renews the (short) lease while tools run; a lost lease aborts them.
  await run.writer.keepAlive((lost) => runEach(run, calls, responseSeq, lost));
}

async function runEach(
  run: RunContext,
  calls: Extract<CheckedCall, { ok: true }>[],
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
