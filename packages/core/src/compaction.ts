import type { Agent } from './agent.js';
import { runPosition } from './context.js';
import type { SessionEvent } from './events.js';
import type { Head } from './head.js';

/** What the model sees; only these count toward the compaction limit. */
const MODEL_KINDS = new Set(['input', 'model_response', 'tool_result']);

/**
 * Where the kept part of the live context starts when it is time to compact: the most recent input
 * that begins a turn (and that no model call skipped), so the kept messages start with the user.
 */
export function compactionBoundary(events: SessionEvent[], head: Head, agent: Agent): number | null {
  const limit = agent.limits.compactAfterEvents;
  if (limit <= 0) return null;
  const live = events.filter((event) => event.seq >= head.contextStart && event.kind !== 'summary');
  if (live.filter((event) => MODEL_KINDS.has(event.kind)).length <= limit) return null;
  // Input the model has not answered yet stays in the kept part, however many are waiting.
  const unanswered = runPosition(events, agent).unansweredInputs.map((event) => event.seq);
  const latest = unanswered.length > 0 ? Math.min(...unanswered) : Number.POSITIVE_INFINITY;
  const skipped = new Set<number>();
  for (const event of live) {
    if (event.kind === 'model_response' && event.contextThrough !== undefined) {
      for (let seq = event.contextThrough + 1; seq < event.seq; seq++) skipped.add(seq);
    }
  }
  for (let i = live.length - 1; i >= 0; i--) {
    const event = live[i]!;
    if (event.kind === 'input' && event.seq <= latest && !skipped.has(event.seq)) {
      return event.seq > head.contextStart ? event.seq : null;
    }
  }
  return null;
}
