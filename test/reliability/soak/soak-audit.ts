import type { SessionEvent, SessionStore } from '@baton/core';
import type { ExecutionCounter } from '../agent/reliability-agent.js';
import { AT_MOST_ONCE_TOOLS } from '../agent/reliability-tools.js';
import { auditSession, batchOrder, transcript, withUnknownOutcomes } from '../support/transcript.js';
import type { TrafficLog } from './soak-traffic.js';

export interface SoakAudit {
  sessions: number;
  lost: number;
  duplicates: number;
  corrupted: number;
  unknownOutcomes: number;
  problems: string[];
}

/**
 * Reads every session the traffic touched and checks it: sound (one linear log, every call answered
 * once, lease released), every input recorded once and answered, every at-most-once call run at
 * most once, backlog runs equal to the fault-free run but for unknown outcomes, and the contention
 * sessions' tool state listing each input exactly once.
 */
export async function auditSoak(
  store: SessionStore,
  log: TrafficLog,
  counter: ExecutionCounter,
  reference: SessionEvent[],
): Promise<SoakAudit> {
  const audit: SoakAudit = {
    sessions: 0,
    lost: 0,
    duplicates: 0,
    corrupted: 0,
    unknownOutcomes: 0,
    problems: [],
  };
  const expected = batchOrder(transcript(reference));
  for (const [sessionId, { kind, inputs }] of log.sessions) {
    audit.sessions++;
    const ref = log.ref(sessionId);
    const head = await store.readHead(ref);
    const events = await store.readEvents(ref);
    const found = auditSession(head, events, {
      inputs: [...new Set(inputs)],
      executions: counter.byCall(ref),
      atMostOnce: AT_MOST_ONCE_TOOLS,
    });
    const problems = [...found.problems];
    const unknown = new Set(
      events.flatMap((event) =>
        event.kind === 'tool_result' && event.outcome === 'unknown' ? [event.callId] : [],
      ),
    );
    audit.unknownOutcomes += unknown.size;
    if (kind === 'backlog') {
      const actual = JSON.stringify(batchOrder(transcript(events)));
      if (actual !== JSON.stringify(batchOrder(withUnknownOutcomes(expected, unknown)))) {
        problems.push('the backlog transcript differs from the fault-free run beyond unknown outcomes');
      }
    }
    if (kind === 'contention') {
      const processed = (head?.toolState.processed ?? []) as string[];
      const twice = processed.length - new Set(processed).size;
      const missing = inputs.filter((text) => !processed.includes(text)).length;
      audit.duplicates += twice;
      audit.lost += missing;
      if (twice > 0 || missing > 0)
        problems.push(`${missing} inputs never processed, ${twice} processed twice`);
    }
    audit.lost += found.lost;
    audit.duplicates += found.duplicates;
    if (problems.length > 0) {
      audit.corrupted++;
      audit.problems.push(...problems.map((problem) => `${sessionId}: ${problem}`));
    }
  }
  return audit;
}
