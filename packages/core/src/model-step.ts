import { type Agent, agentToolSpecs } from './agent.js';
import { contextLimit, modelContext } from './context.js';
import { continueLater } from './continuation.js';
import { BatonError, FencedError, ModelError, RunCancelledError, SessionNotFoundError } from './errors.js';
import type { EventBody, ToolCall } from './events.js';
import type { Head } from './head.js';
import { type LiveCall, startLiveCall } from './live/live-call.js';
import type { ModelRequest, ModelResponse } from './model.js';
import { redactSecrets } from './redact.js';
import { rejectAnswer } from './rejected-answer.js';
import type { RunContext, RunOutcome } from './run-context.js';
import { refKey } from './session-ref.js';
import { checkAnswer, runOutputSchema } from './structured-output.js';
import { type ToolListing, unrecordedListings } from './tool-source.js';
import { intentsWithResponse, type ToolsAtOnce } from './tool-step.js';
import { traceModelCall } from './tracing.js';

/**
 * One model call and its commit. Returns an outcome when the run ends here (an answer that
 * finished it, or a model error no retry can fix); the calls to start at once when their
 * at-most-once intents were committed with the response (the loop starts them without awaiting
 * anything else first); else null and the loop goes on. A streamed call's deltas are published as
 * they come (live/) and its snapshot ends once the step committed.
 */
export async function callModel(run: RunContext): Promise<RunOutcome | ToolsAtOnce | null> {
  const live = startLiveCall(run);
  try {
    return await modelStep(run, live);
  } finally {
    live?.end();
  }
}

async function modelStep(run: RunContext, live: LiveCall | null): Promise<RunOutcome | ToolsAtOnce | null> {
  const { agent, writer } = run;
  const contextThrough = contextLimit(run.events, agent, writer.readThrough);
  const { instructions, messages } = modelContext(writer.head, run.events, agent, contextThrough);
  const output = runOutputSchema(run.events, agent.output, contextThrough);
  const started = run.deps.clock.now();
  let response: ModelResponse;
  try {
    // The lease stays short: a heartbeat renews it while the model works, and a lost lease stops the call.
    response = await writer.keepAlive(async (lost) => {
      const request: ModelRequest = {
        instructions,
        messages,
        tools: agentToolSpecs(agent),
        signal: AbortSignal.any([run.deadlineSignal, lost, run.cancelSignal]),
        sessionKey: refKey(writer.ref),
        ...(output ? { output: { name: output.name, schema: output.schema } } : {}),
      };
      try {
        return await traceModelCall(run.traceContext, agent.model, () => generate(agent, request, live));
      } catch (error) {
        if (lost.aborted) throw lost.reason;
        // A cancel stopped the call: the loop ends the run as cancelled (nothing is committed).
        throw run.cancelSignal.aborted ? run.cancelSignal.reason : error;
      }
    });
  } catch (error) {
    return modelFailed(run, error);
  }
  const event: EventBody = {
    kind: 'model_response',
    text: response.text,
    toolCalls: distinctCallIds(response.toolCalls),
    usage: response.usage,
    stopReason: response.stopReason,
    provider: agent.model.provider,
    model: response.model,
    latencyMs: run.deps.clock.now() - started,
    contextThrough,
    ...(response.providerState ? { providerState: response.providerState } : {}),
    ...withListings(unrecordedListings(agent, run.events)),
  };
  const counted = (head: Head): Head => ({
    ...head,
    status: 'running',
    runSteps: head.runSteps + 1,
    usage: {
      inputTokens: head.usage.inputTokens + response.usage.inputTokens,
      outputTokens: head.usage.outputTokens + response.usage.outputTokens,
    },
  });
  if (response.toolCalls.length === 0) {
    // An answer without tool calls ends the turn: one commit records it with its run_finished (so
    // each input's reply is found after it) and, when nothing else waits, hands back the lease.
    // One that does not match the run's output schema is fed back to the model instead.
    const answer = checkAnswer(response.text, output);
    if (!answer.ok) return rejectAnswer(run, event, answer.message, counted);
    const finished: EventBody = {
      kind: 'run_finished',
      reason: 'completed',
      text: response.text,
      ...(answer.output !== undefined ? { output: answer.output } : {}),
    };
    if (contextThrough === writer.readThrough) {
      const released = await run.release('idle', [event, finished], counted);
      if (released) {
        const outcome = { kind: 'finished', head: released, text: response.text } as const;
        return answer.output !== undefined ? { ...outcome, output: answer.output } : outcome;
      }
    }
    // Input waits that this call did not see (it arrived meanwhile, or 'one_at_a_time' held it
    // back): the turn ends here, and the next one answers that input with its own step budget.
    await run.commit([event, finished], (head) => ({ ...counted(head), runSteps: 0 }));
    return null;
  }
  // Calls that start right after this commit take their at-most-once intents into it: one write
  // fewer. Calls that wait (approval, the next invocation, a cancel) get no intent here.
  const atOnce = intentsWithResponse(run, event.toolCalls);
  await run.commit([event, ...(atOnce?.intents ?? [])], counted);
  if (!atOnce) return null;
  const responseSeq = run.events.findLast((stored) => stored.kind === 'model_response')!.seq;
  return { kind: 'run_tools', calls: atOnce.calls, responseSeq };
}

/**
 * The response's calls with ids unique within it: a provider may send one id twice (or none), and
 * results, intents and decisions are matched to calls by id. Later duplicates get a suffix; the
 * model sees the renamed ids in the history from then on.
 */
export function distinctCallIds(calls: readonly ToolCall[]): ToolCall[] {
  const seen = new Set<string>();
  return calls.map((call, index) => {
    const base = call.callId || `call_${index + 1}`;
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}_${n}`;
    seen.add(id);
    return id === call.callId ? call : { ...call, callId: id };
  });
}

/** A model call that failed: continue later, retry through the queue, or fail the run. */
async function modelFailed(run: RunContext, error: unknown): Promise<RunOutcome | null> {
  if (
    error instanceof FencedError ||
    error instanceof SessionNotFoundError ||
    error instanceof RunCancelledError
  ) {
    throw error;
  }
  if (run.deadlineSignal.aborted) {
    // The deadline cut the call off: the next invocation makes it again, with time to finish.
    run.logger.warn('model call stopped at the invocation deadline; continuing later', { error });
    return continueLater(run, 'call_model');
  }
  const modelError =
    error instanceof BatonError
      ? error
      : new ModelError(`model call failed: ${(error as Error).message}`, { retryable: true, cause: error });
  if (modelError.retryable) throw modelError;
  run.logger.error('model call failed; the run stops', { error: modelError });
  const released = await run.release('failed', [
    // Provider error text may echo the request's Authorization header.
    { kind: 'error', code: modelError.code, message: redactSecrets(modelError.message), retryable: false },
    { kind: 'run_finished', reason: 'failed', text: '' },
  ]);
  return released ? { kind: 'failed', head: released, error: modelError } : null;
}

/**
 * One model call: through `stream()` when the agent allows it (`policies.stream`, on by default) and
 * the model has it, else `generate()`. The final stream event carries the complete response, so
 * what is committed is the same either way; the deltas before it go to `live` (the hub at once, the
 * store's live record throttled) and never into the log.
 */
async function generate(agent: Agent, request: ModelRequest, live: LiveCall | null): Promise<ModelResponse> {
  const model = agent.model;
  if (!agent.policies.stream || !model.stream) return model.generate(request);
  for await (const event of model.stream(request)) {
    if (event.type === 'response') return event.response;
    live?.add(event);
  }
  throw new ModelError(`the ${model.provider} stream ended without a response`, {
    retryable: true,
    provider: model.provider,
  });
}

/** Tool listings made by this invocation ride on the first model response that saw them. */
function withListings(listings: ReturnType<typeof unrecordedListings>): { toolListings?: ToolListing[] } {
  return listings ? { toolListings: listings } : {};
}
