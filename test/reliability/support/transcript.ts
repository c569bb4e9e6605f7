import type { Head, SessionEvent } from '@baton/core';

/** Fields that differ between two runs of the same conversation: times, latencies, positions. */
const VOLATILE = new Set(['seq', 'at', 'v', 'latencyMs', 'durationMs', 'contextThrough']);

export type TranscriptEntry = Record<string, unknown>;

/** The log without what legitimately differs between runs; what a crashed and an uncrashed run must share. */
export function transcript(events: readonly SessionEvent[]): TranscriptEntry[] {
  return events.map((event) =>
    Object.fromEntries(Object.entries(event).filter(([key]) => !VOLATILE.has(key))),
  );
}

/**
 * Results of one parallel batch of tool calls commit in the order the calls finish, which a retry
 * can change: consecutive results are compared sorted by call id.
 */
export function batchOrder(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  const sorted: TranscriptEntry[] = [];
  let batch: TranscriptEntry[] = [];
  const flush = () => {
    sorted.push(...batch.sort((a, b) => String(a.callId).localeCompare(String(b.callId))));
    batch = [];
  };
  for (const entry of entries) {
    if (entry.kind === 'tool_result') batch.push(entry);
    else {
      flush();
      sorted.push(entry);
    }
  }
  flush();
  return sorted;
}

/** The text the loop records for an at-most-once call a crash left without a result (policy 'error'). */
export function unknownOutcomeOutput(tool: string): { error: string } {
  return {
    error: `${tool} was started but its outcome is unknown (the invocation running it stopped). It was not run again; check its effect before retrying.`,
  };
}

/**
 * The uncrashed transcript as it must read after a crash: identical, except that each interrupted
 * at-most-once call has an unknown outcome instead of its result (and so no state patch).
 */
export function withUnknownOutcomes(
  reference: TranscriptEntry[],
  unknown: ReadonlySet<string>,
): TranscriptEntry[] {
  return reference.map((entry) => {
    if (entry.kind !== 'tool_result' || !unknown.has(entry.callId as string)) return entry;
    return {
      kind: 'tool_result',
      callId: entry.callId,
      name: entry.name,
      outcome: 'unknown',
      output: unknownOutcomeOutput(entry.name as string),
    };
  });
}

export interface SessionAudit {
  /** Inputs missing from the log, or never answered by a model response. */
  lost: number;
  /** Extra executions of at-most-once calls, extra results of one call, inputs recorded twice. */
  duplicates: number;
  /** What is structurally wrong with the session (empty when sound). */
  problems: string[];
}

/**
 * Checks what must hold of any session whose runs are over, whatever happened on the way: one
 * linear log numbered 1..n, every call answered once, no input unanswered, the lease released.
 */
export function auditSession(
  head: Head | null,
  events: readonly SessionEvent[],
  options: {
    inputs?: readonly string[];
    executions?: ReadonlyMap<string, number>;
    atMostOnce?: ReadonlySet<string>;
  } = {},
): SessionAudit {
  const problems: string[] = [];
  let duplicates = 0;
  let lost = 0;
  if (!head)
    return { lost: options.inputs?.length ?? 1, duplicates: 0, problems: ['the session does not exist'] };
  events.forEach((event, index) => {
    if (event.seq !== index + 1) problems.push(`event ${index + 1} has seq ${event.seq}`);
  });
  if (head.seq !== events.length) problems.push(`head.seq ${head.seq} but ${events.length} events`);
  if (head.lease !== null) problems.push(`the lease of ${head.lease.owner} was never released`);
  if (head.status !== 'idle' && head.status !== 'failed')
    problems.push(`status ${head.status} after the run`);
  if (head.lastInputSeq > head.processedSeq) problems.push(`input up to ${head.lastInputSeq} unread`);

  const calls = new Map<string, string>();
  const results = new Map<string, number>();
  const intents = new Map<string, number>();
  const inputs = new Map<string, number>();
  // An input is answered once a model response's context reached it (input committed while the
  // model was thinking lands before the response but is answered by a later one).
  const answeredThrough = Math.max(
    0,
    ...events.map((event) => (event.kind === 'model_response' ? (event.contextThrough ?? event.seq - 1) : 0)),
  );
  for (const event of events) {
    if (event.kind === 'model_response') {
      for (const call of event.toolCalls) {
        if (calls.has(call.callId)) problems.push(`call id ${call.callId} issued twice`);
        calls.set(call.callId, call.name);
      }
    } else if (event.kind === 'tool_result') {
      if (!calls.has(event.callId)) problems.push(`result for unknown call ${event.callId}`);
      results.set(event.callId, (results.get(event.callId) ?? 0) + 1);
    } else if (event.kind === 'tool_intent') {
      intents.set(event.callId, (intents.get(event.callId) ?? 0) + 1);
    } else if (event.kind === 'input') {
      inputs.set(event.text, (inputs.get(event.text) ?? 0) + 1);
      if (event.seq > answeredThrough) {
        lost++;
        problems.push(`input ${event.seq} was never answered`);
      }
    }
  }
  for (const callId of calls.keys()) {
    const count = results.get(callId) ?? 0;
    if (count === 0) problems.push(`call ${callId} has no result`);
    if (count > 1) duplicates += count - 1;
  }
  for (const count of intents.values()) if (count > 1) duplicates += count - 1;
  for (const count of inputs.values()) if (count > 1) duplicates += count - 1;
  for (const text of options.inputs ?? []) if (!inputs.has(text)) lost++;
  if (options.executions && options.atMostOnce) {
    for (const [callId, count] of options.executions) {
      const tool = calls.get(callId);
      if (tool && options.atMostOnce.has(tool) && count > 1) duplicates += count - 1;
    }
  }
  return { lost, duplicates, problems };
}
