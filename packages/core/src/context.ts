import type { Agent } from './agent.js';
import type { EventOf, SessionEvent, ToolCall } from './events.js';
import type { Head } from './head.js';
import type { ModelMessage } from './model.js';
import { correctionText, OUTPUT_INVALID } from './structured-output.js';
import type { Tool } from './tool.js';

/** A tool call of the last model response that has no result yet, with everything known about it. */
export interface PendingCall {
  call: ToolCall;
  /**
   * Seq of the model response that made the call. Providers do not promise unique call ids across
   * responses, so every key derived from a call (decision dedupe, idempotency) is scoped by it.
   */
  responseSeq: number;
  tool: Tool | undefined;
  /** An at-most-once intent was committed: the call may have run. */
  intent: boolean;
  decision: EventOf<'decision'> | undefined;
  /** Already announced in an interrupt event. */
  announced: boolean;
  /** An agent tool's call whose child session was started (delegation/): its id. */
  child?: string;
}

/** What the live context says about where the run stands. Pure: derived from events only. */
export interface RunPosition {
  lastModel: EventOf<'model_response'> | undefined;
  pending: PendingCall[];
  /** Inputs the model has not seen yet. */
  unansweredInputs: EventOf<'input'>[];
  /** The last model response had tool calls and all of them have results. */
  resultsAwaitModel: boolean;
  /** A run_finished event follows the last model response. */
  finished: boolean;
  /** The last model response's answer did not match the output schema: the model answers again. */
  outputRejected: boolean;
  /** A cancel no run_finished follows yet: the run ends as cancelled before anything else. */
  cancel: EventOf<'cancel'> | undefined;
}

/**
 * The log in the order the model experienced it: an input that was committed while a model call
 * was in flight (so its seq is lower than the response's) is placed right after that response.
 */
export function inModelOrder(events: SessionEvent[]): SessionEvent[] {
  const first = events[0]?.seq ?? 0;
  let moved: Map<number, number> | undefined;
  for (const event of events) {
    if (event.kind !== 'model_response' || event.contextThrough === undefined) continue;
    for (let seq = event.contextThrough + 1; seq < event.seq; seq++) {
      const candidate = events[seq - first];
      // The last response that did not see an input is the one it comes after.
      if (candidate?.kind === 'input') {
        moved ??= new Map();
        moved.set(seq, event.seq);
      }
    }
  }
  if (!moved) return events;
  const position = (event: SessionEvent) => {
    const after = moved.get(event.seq);
    return after === undefined ? event.seq : after + 0.5;
  };
  return [...events].sort((a, b) => position(a) - position(b));
}

export function runPosition(logEvents: SessionEvent[], agent: Agent): RunPosition {
  const events = inModelOrder(logEvents);
  let lastModelIndex = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]!.kind === 'model_response') {
      lastModelIndex = i;
      break;
    }
  }
  const lastModel = lastModelIndex >= 0 ? (events[lastModelIndex] as EventOf<'model_response'>) : undefined;
  const after = events.slice(lastModelIndex + 1);
  const results = new Set<string>();
  const intents = new Set<string>();
  const children = new Map<string, string>();
  const announced = new Set<string>();
  const decisions = new Map<string, EventOf<'decision'>>();
  const unansweredInputs: EventOf<'input'>[] = [];
  let finished = false;
  let rejected = false;
  for (const event of after) {
    if (event.kind === 'tool_result') results.add(event.callId);
    else if (event.kind === 'tool_intent' && event.child) children.set(event.callId, event.child);
    else if (event.kind === 'tool_intent') intents.add(event.callId);
    else if (event.kind === 'interrupt') for (const id of event.callIds) announced.add(id);
    else if (event.kind === 'decision') decisions.set(event.callId, event);
    else if (event.kind === 'input') unansweredInputs.push(event);
    else if (event.kind === 'run_finished') finished = true;
    else if (event.kind === 'error' && event.code === OUTPUT_INVALID) rejected = true;
    // A cancel ends the turns of the input before it; input after it is answered as usual.
    else if (event.kind === 'cancel') unansweredInputs.length = 0;
  }
  const calls = lastModel?.toolCalls ?? [];
  const pending = calls
    .filter((call) => !results.has(call.callId))
    .map((call) => ({
      call,
      responseSeq: lastModel?.seq ?? 0,
      tool: agent.tools.find((tool) => tool.name === call.name),
      intent: intents.has(call.callId),
      decision: decisions.get(call.callId),
      announced: announced.has(call.callId),
      ...(children.has(call.callId) ? { child: children.get(call.callId)! } : {}),
    }));
  return {
    lastModel,
    pending,
    unansweredInputs,
    resultsAwaitModel: calls.length > 0 && pending.length === 0 && !finished,
    finished,
    outputRejected: rejected && !finished,
    cancel: pendingCancel(logEvents),
  };
}

/** The last cancel when no run_finished follows it (the run it stops has not ended yet). */
function pendingCancel(events: SessionEvent[]): EventOf<'cancel'> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'run_finished') return undefined;
    if (event.kind === 'cancel') return event;
  }
  return undefined;
}

/**
 * The messages a model sees: the live context in order, except that input arriving while tool calls
 * were outstanding is placed after their results (providers require results to follow their calls).
 * The summary of compacted history, if any, goes into the instructions.
 */
export function modelContext(
  head: Head,
  events: SessionEvent[],
  agent: Agent,
  through: number = Number.POSITIVE_INFINITY,
): { instructions: string; messages: ModelMessage[] } {
  // Input after `through` waits for a later call (agents that answer one message at a time).
  events = events.filter((event) => event.kind !== 'input' || event.seq <= through);
  const messages: ModelMessage[] = [];
  let summary: string | undefined;
  let outstanding = new Set<string>();
  let deferred: ModelMessage[] = [];
  events = inModelOrder(events);
  const flush = () => {
    if (outstanding.size === 0 && deferred.length > 0) {
      messages.push(...deferred);
      deferred = [];
    }
  };
  for (const event of events) {
    if (event.seq < head.contextStart) continue;
    switch (event.kind) {
      case 'summary':
        if (event.seq === head.summarySeq) summary = event.text;
        break;
      case 'input': {
        const message: ModelMessage = { role: 'user', content: event.text };
        if (outstanding.size > 0) deferred.push(message);
        else messages.push(message);
        break;
      }
      case 'model_response':
        messages.push({
          role: 'assistant',
          content: event.text,
          toolCalls: event.toolCalls,
          ...(event.providerState ? { providerState: event.providerState } : {}),
        });
        outstanding = new Set(event.toolCalls.map((call) => call.callId));
        break;
      case 'tool_result':
        if (!outstanding.has(event.callId)) break;
        messages.push({
          role: 'tool',
          callId: event.callId,
          name: event.name,
          content: typeof event.output === 'string' ? event.output : JSON.stringify(event.output),
          isError: event.outcome !== 'ok',
        });
        outstanding.delete(event.callId);
        flush();
        break;
      case 'error':
        // An answer that did not match the output schema: the model is told why and answers again.
        if (event.code === OUTPUT_INVALID)
          messages.push({ role: 'user', content: correctionText(event.message) });
        break;
      default:
        break;
    }
  }
  messages.push(...deferred);
  const instructions = summary
    ? `${agent.instructions}\n\nSummary of the conversation so far:\n${summary}`
    : agent.instructions;
  return { instructions, messages };
}

/**
 * The last seq the next model call's context may include. With 'one_at_a_time' input, only the
 * turn in progress is answered now: the context stops just before the next input that waits, even
 * when the turn is in a tool loop, and the model response records that (contextThrough), so the
 * later input stays unanswered and gets its own turn and reply once this one has finished.
 */
export function contextLimit(events: SessionEvent[], agent: Agent, readThrough: number): number {
  if (agent.policies.inputs !== 'one_at_a_time') return readThrough;
  const waiting = inputsWithoutReply(events);
  return waiting.length > 1 ? waiting[1]!.seq - 1 : readThrough;
}

/**
 * Inputs no turn has answered yet, in the order the model meets them (the first is the turn in
 * progress). A turn ends with an answer without tool calls or at its step limit, either of which
 * answers the inputs its last model response's context reached; a failed run ends every turn.
 */
export function inputsWithoutReply(logEvents: SessionEvent[]): EventOf<'input'>[] {
  let waiting: EventOf<'input'>[] = [];
  let reached = 0;
  // An answer the output schema rejected does not end its turn: the inputs it answered wait again.
  let answered: EventOf<'input'>[] = [];
  for (const event of inModelOrder(logEvents)) {
    if (event.kind === 'input') waiting.push(event);
    else if (event.kind === 'model_response') {
      reached = event.contextThrough ?? event.seq;
      answered = [];
      if (event.toolCalls.length === 0) {
        answered = waiting.filter((input) => input.seq <= reached);
        waiting = waiting.filter((input) => input.seq > reached);
      }
    } else if (event.kind === 'error' && event.code === OUTPUT_INVALID) {
      waiting = [...answered, ...waiting];
      answered = [];
    } else if (event.kind === 'run_finished') {
      waiting = event.reason === 'failed' ? [] : waiting.filter((input) => input.seq > reached);
    } else if (event.kind === 'cancel') waiting = [];
  }
  return waiting;
}
