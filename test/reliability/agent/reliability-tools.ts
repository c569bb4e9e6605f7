import { defineTool, type SessionRef, type Tool } from '@baton/core';
import { z } from 'zod';

/** Where a tool reports that it ran: an external counter, outside the session, like a real side effect. */
export interface ExecutionRecorder {
  record(execution: { session: SessionRef; callId: string; tool: string }): void;
}

/** Called inside every tool call after its side effect: the crash child SIGKILLs its own process here. */
export type ToolHook = (execution: { callId: string; tool: string; ordinal: number }) => void;

export const AT_MOST_ONCE_TOOLS = new Set(['charge', 'send_email']);

/**
 * One tool of every kind: idempotent (lookup), idempotent and state-writing (add_note),
 * at-most-once (charge), approval-gated and at-most-once (send_email), approval-gated and
 * idempotent (publish). Each one reports its execution to `recorder` before it returns.
 */
export function reliabilityTools(recorder: ExecutionRecorder, hook?: ToolHook): Tool[] {
  let ordinal = 0;
  const ran = (session: SessionRef, callId: string, tool: string) => {
    recorder.record({ session, callId, tool });
    ordinal += 1;
    hook?.({ callId, tool, ordinal });
  };
  return [
    defineTool({
      name: 'lookup',
      description: 'Looks an order up (read-only, safe to repeat)',
      parameters: z.object({ id: z.number().int() }),
      execute: ({ id }, { session, callId }) => {
        ran(session, callId, 'lookup');
        return { id, status: id % 2 === 0 ? 'shipped' : 'packed' };
      },
    }),
    defineTool({
      name: 'add_note',
      description: 'Adds a note to the session (writes tool state)',
      parameters: z.object({ text: z.string().min(1) }),
      execute: ({ text }, { session, callId, state }) => {
        ran(session, callId, 'add_note');
        const notes = state.get<string[]>('notes') ?? [];
        state.set('notes', [...notes, text]);
        state.set('lastNote', text);
        return { notes: notes.length + 1 };
      },
    }),
    defineTool({
      name: 'charge',
      description: 'Charges a card (must never run twice)',
      parameters: z.object({ cents: z.number().int().positive() }),
      execution: 'at-most-once',
      execute: ({ cents }, { session, callId, idempotencyKey }) => {
        ran(session, callId, 'charge');
        // The key a payment API would dedupe on: stable for this call, different for every other.
        return { charged: cents, keyed: idempotencyKey.endsWith(`/${callId}`) };
      },
    }),
    defineTool({
      name: 'send_email',
      description: 'Sends an email once a person approved it (must never run twice)',
      parameters: z.object({ to: z.string(), subject: z.string() }),
      execution: 'at-most-once',
      needsApproval: true,
      execute: ({ to, subject }, { session, callId }) => {
        ran(session, callId, 'send_email');
        return { sent: to, subject };
      },
    }),
    defineTool({
      name: 'publish',
      description: 'Publishes a page once a person approved it (safe to repeat)',
      parameters: z.object({ page: z.string() }),
      needsApproval: true,
      execute: ({ page }, { session, callId }) => {
        ran(session, callId, 'publish');
        return { published: page };
      },
    }),
  ];
}
