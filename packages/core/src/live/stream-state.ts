import type { SessionEvent } from '../events.js';
import type { LiveSnapshot } from './live-store.js';
import { formatStreamCursor, type StreamCursor } from './stream-cursor.js';
import { eventChunks, leavesCallRunning, TEXT_ID, type UiChunk } from './ui-chunks.js';

/** One server-sent event: its chunk and the id a client resumes from. */
export interface SseMessage {
  id: string;
  chunk: UiChunk;
}

/**
 * One client's position in a session's stream, and what committed events and live snapshots
 * become for it. Every message it hands out carries the cursor of the position right after it, so
 * a client that reconnects with the last id it received gets every remaining message once, in
 * order. A model call's text reaches a client either as live deltas or inside the committed model
 * response; a client that saw part of it live gets the rest of the committed text as one delta, so
 * the deltas it got always add up to the committed text.
 *
 * @example
 *   const state = new StreamState({ through: 3 });
 *   state.live(snapshot); // start-step, text-start, text-delta of what the call wrote so far
 *   state.committed(modelResponse); // the rest of the text, text-end, tool inputs, finish-step
 */
export class StreamState {
  private position: StreamCursor;
  /** The seq of the last event known to have ended a model call. */
  private lastCallEnd = 0;
  /** Every event from this seq on has been seen (so which ones ended a call is known). */
  private knownFrom: number;

  constructor(cursor: StreamCursor) {
    this.position = { ...cursor };
    this.knownFrom = cursor.through + 1;
  }

  get cursor(): StreamCursor {
    return { ...this.position };
  }

  /** Committed events to read next are those after this seq. */
  get readAfter(): number {
    return this.position.chunk === undefined ? this.position.through : this.position.through - 1;
  }

  /** The messages of one committed event (the next one in seq order), minus those already sent. */
  committed(event: SessionEvent): SseMessage[] {
    const all = eventChunks(event);
    const { through, chunk: sentChunk, step } = this.position;
    const sentUpTo = sentChunk !== undefined && event.seq === through ? sentChunk : -1;
    const endsCall = !leavesCallRunning(event);
    let indexed = all.map((chunk, index) => ({ chunk, index }));
    if (event.kind === 'model_response' && step !== undefined)
      indexed = restOfStep(event.text, indexed, step);
    // An event appended while a call streams (an input) keeps the call's progress in its id.
    const nextStep = endsCall ? undefined : step;
    const messages = indexed
      .filter(({ index }) => index > sentUpTo)
      .map(({ chunk, index }) => {
        const last = index === all.length - 1;
        const cursor: StreamCursor = { through: event.seq };
        if (!last) cursor.chunk = index;
        if (nextStep !== undefined) cursor.step = nextStep;
        return { id: formatStreamCursor(cursor), chunk };
      });
    this.position = nextStep === undefined ? { through: event.seq } : { through: event.seq, step: nextStep };
    if (endsCall) this.lastCallEnd = event.seq;
    return messages;
  }

  /**
   * The seq after which committed events must be read before `snapshot` can be judged (whether a
   * call ended since it was written), or null when what is known suffices.
   */
  historyNeeded(snapshot: LiveSnapshot): number | null {
    if (!this.mayUse(snapshot)) return null;
    return snapshot.afterSeq + 1 < this.knownFrom ? snapshot.afterSeq : null;
  }

  /** Takes the events read for `historyNeeded` (those after its seq, up to the cursor). */
  learn(afterSeq: number, events: readonly SessionEvent[]): void {
    for (const event of events) {
      if (event.seq <= this.position.through && !leavesCallRunning(event)) {
        this.lastCallEnd = Math.max(this.lastCallEnd, event.seq);
      }
    }
    this.knownFrom = Math.min(this.knownFrom, afterSeq + 1);
  }

  /** The messages a live snapshot of the call in flight adds, or none when it is stale or not new. */
  live(snapshot: LiveSnapshot, now: number): SseMessage[] {
    if (snapshot.expiresAt <= now || !this.mayUse(snapshot) || this.historyNeeded(snapshot) !== null)
      return [];
    const through = this.position.through;
    const messages: SseMessage[] = [];
    let step = this.position.step;
    if (step === undefined) {
      step = 'start';
      messages.push({ id: formatStreamCursor({ through, step }), chunk: { type: 'start-step' } });
    }
    if (step === 'start' && snapshot.text.length > 0) {
      step = 0;
      messages.push({
        id: formatStreamCursor({ through, step }),
        chunk: { type: 'text-start', id: TEXT_ID },
      });
    }
    if (typeof step === 'number' && snapshot.text.length > step) {
      const delta = snapshot.text.slice(step);
      step = snapshot.text.length;
      messages.push({
        id: formatStreamCursor({ through, step }),
        chunk: { type: 'text-delta', id: TEXT_ID, delta },
      });
    }
    this.position = { through, step };
    return messages;
  }

  /** A snapshot can belong to the call after the cursor: written after every event sent ended a call. */
  private mayUse(snapshot: LiveSnapshot): boolean {
    return (
      this.position.chunk === undefined &&
      snapshot.afterSeq <= this.position.through &&
      snapshot.afterSeq >= this.lastCallEnd
    );
  }
}

/** A committed model response's chunks for a client that saw its call up to `step` live. */
function restOfStep(
  text: string,
  indexed: { chunk: UiChunk; index: number }[],
  step: 'start' | number,
): { chunk: UiChunk; index: number }[] {
  const rest: { chunk: UiChunk; index: number }[] = [];
  // The call's live text was not kept (a call repeated after a crash wrote none): close its part.
  if (typeof step === 'number' && text === '')
    rest.push({ chunk: { type: 'text-end', id: TEXT_ID }, index: 0 });
  for (const entry of indexed) {
    const type = entry.chunk.type;
    if (type === 'start-step') continue;
    if (type === 'text-start' && typeof step === 'number') continue;
    if (type === 'text-delta' && typeof step === 'number') {
      const delta = text.slice(step);
      if (delta !== '') rest.push({ chunk: { ...entry.chunk, delta }, index: entry.index });
      continue;
    }
    rest.push(entry);
  }
  return rest;
}
