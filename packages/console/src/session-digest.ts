import {
  type CostTally,
  type PriceTable,
  type SessionEvent,
  type SessionStatus,
  tallyCost,
} from '@baton/core';

export interface CallInfo {
  name: string;
  arguments: string;
}

export interface ApprovalView {
  callId: string;
  tool: string;
  arguments: string;
  /** An at-most-once call was started and its outcome is unknown: approving runs it again. */
  unknownOutcome: boolean;
}

interface PendingEntry {
  call: CallInfo;
  intent: boolean;
  announced: boolean;
  decided: boolean;
  resulted: boolean;
}

/**
 * What the console and the CLI need to know about a log, folded event by event so a page read and
 * a live stream share one code path: tool calls by id (a tool result shows its arguments), the
 * estimated cost, and the calls waiting for approval. Needs only the store, never the agent
 * definitions, so it works against a deployment's store from anywhere.
 */
export class SessionDigest {
  readonly calls = new Map<string, CallInfo>();
  cost: CostTally;
  lastSeq = 0;
  private pending = new Map<string, PendingEntry>();

  constructor(private readonly prices: PriceTable) {
    this.cost = tallyCost([], prices);
  }

  add(events: readonly SessionEvent[]): void {
    for (const event of events) this.addOne(event);
    this.cost = tallyCost(events, this.prices, this.cost);
  }

  /** The calls a person must decide, as core computes them: announced by an interrupt, not decided, no result. */
  approvals(status: SessionStatus): ApprovalView[] {
    if (status !== 'waiting_approval') return [];
    return [...this.pending]
      .filter(([, entry]) => entry.announced && !entry.decided && !entry.resulted)
      .map(([callId, entry]) => ({
        callId,
        tool: entry.call.name,
        arguments: entry.call.arguments,
        unknownOutcome: entry.intent,
      }));
  }

  private addOne(event: SessionEvent): void {
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    switch (event.kind) {
      case 'model_response':
        // Only the last response's calls can be pending; earlier ones all have results or were dropped.
        this.pending = new Map();
        for (const call of event.toolCalls) {
          const info = { name: call.name, arguments: call.arguments };
          this.calls.set(call.callId, info);
          this.pending.set(call.callId, {
            call: info,
            intent: false,
            announced: false,
            decided: false,
            resulted: false,
          });
        }
        break;
      case 'tool_intent':
        this.mark(event.callId, 'intent');
        break;
      case 'tool_result':
        this.mark(event.callId, 'resulted');
        break;
      case 'decision':
        this.mark(event.callId, 'decided');
        break;
      case 'interrupt':
        for (const callId of event.callIds) this.mark(callId, 'announced');
        break;
      default:
        break;
    }
  }

  private mark(callId: string, flag: 'intent' | 'announced' | 'decided' | 'resulted'): void {
    const entry = this.pending.get(callId);
    if (entry) entry[flag] = true;
  }
}
