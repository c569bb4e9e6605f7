import type { SessionEvent } from '../events.js';
import type { Head } from '../head.js';
import type { RunMessage } from '../queue.js';
import { refKey } from '../session-ref.js';

/*
 * A child session's result travels to its parent like an outbox entry: recorded in the very commit
 * that writes the child's first run_finished (whatever writes it: the answer, a failure record, a
 * cancel, the step limit) as `parent.resultSeq` on the child's head, so it costs no write of its
 * own; then a run message for the parent, enqueued after every run of the child, until the parent
 * has the result. The parent's lease holder reads the child (its head, then that one event) and
 * records the result in its own next commit: nothing else writes the parent, so it cannot be
 * recorded twice, and until it is recorded the child's head still says where it is.
 */

/** The next head of a commit: a child's first run_finished among `events` becomes its result. */
export function noteChildResult(head: Head, events: readonly SessionEvent[]): Head {
  if (!head.parent || head.parent.resultSeq !== undefined) return head;
  const finished = events.find((event) => event.kind === 'run_finished');
  if (!finished) return head;
  return { ...head, parent: { ...head.parent, resultSeq: finished.seq } };
}

/**
 * The run message that tells a finished child's parent to collect the result, or null when `head`
 * is not a finished child. Enqueuing it again is harmless: a parent with nothing to collect reads
 * its head and writes nothing.
 */
export function parentMessage(head: Head): RunMessage | null {
  const link = head.parent;
  if (!link || link.resultSeq === undefined) return null;
  return {
    v: 1,
    tenant: head.tenant,
    sessionId: link.sessionId,
    reason: 'input',
    dedupeKey: `child:${refKey(head)}:${link.resultSeq}`,
  };
}
