import {
  type AuthMode,
  customAuth,
  type ModelRequest,
  SCOPES,
  type SessionEvent,
  type SessionView,
} from '@baton/core';
import { callTools, reply, ScriptedModel, type ScriptedResponse } from '@baton/testing';

/** One session, addressed the same way on every host (tool idempotency keys contain it). */
export const SESSION_ID = 'cross-host-1';
export const MESSAGE =
  'Note that I need milk, open a ticket for the printer jam, email facilities about it, then read my notes back.';
/** Sent with the message on every host: the input event records it as its dedupe key. */
export const IDEMPOTENCY_KEY = 'cross-host-message-1';
/** Who approves the email (the `x-baton-user` header, read by CALLER_AUTH), and why. */
export const APPROVER = 'dana';

/**
 * Every host's auth in this conversation: a custom resolver that takes the tenant and user the
 * request names (a test's trusted caller), so all three record the same decider.
 */
export const CALLER_AUTH: AuthMode = customAuth(async (request) => ({
  tenant: request.headers.get('x-baton-tenant') ?? 'default',
  user: request.headers.get('x-baton-user') ?? 'caller',
  scopes: SCOPES,
  via: 'custom',
}));
export const APPROVAL_REASON = 'looks fine';

/** What the scripted model ends the conversation with (built from the ticket and the notes the tools returned). */
export const FINAL_REPLY =
  'Done: ticket T-1 is open, facilities@example.com knows about it, and your notes are: milk.';

/**
 * The scripted model of the conversation, a function of the request alone: each answer depends on
 * the last message the model is shown (the user's text, or which tool result came back and what it
 * said), never on how many calls came before, so a host that splits the run differently still gets
 * the same answers. Call ids are fixed (callTools would number them per process). `onCall` lets a
 * cloud run spend its invocation's (manual) time on each model call.
 *
 * The conversation: add_note (writes session tool state) -> create_ticket (at-most-once) ->
 * send_email (needs approval, at-most-once) -> list_notes -> a reply quoting the notes: five model
 * calls, three before the approval and two after.
 */
export function conversationModel(onCall: () => void = () => {}): ScriptedModel {
  return new ScriptedModel((request) => {
    onCall();
    return answer(request);
  });
}

function answer(request: ModelRequest): ScriptedResponse {
  const last = request.messages.at(-1);
  if (last?.role === 'user') {
    return callTools([{ name: 'add_note', args: { text: 'milk' }, callId: 'call_note' }], {
      text: 'Noting that first.',
    });
  }
  if (last?.role === 'tool') {
    const output = JSON.parse(last.content) as Record<string, unknown>;
    switch (last.callId) {
      case 'call_note':
        return callTools(
          [{ name: 'create_ticket', args: { title: 'Printer jam on floor 3' }, callId: 'call_ticket' }],
          { text: `Saved note ${String(output.count)}. Opening the ticket.` },
        );
      case 'call_ticket':
        return callTools([
          {
            name: 'send_email',
            args: {
              to: 'facilities@example.com',
              subject: `Ticket ${String(output.ticket)}: printer jam`,
              body: `Ticket ${String(output.ticket)} is open for the printer jam on floor 3.`,
            },
            callId: 'call_email',
          },
        ]);
      case 'call_email':
        return callTools([{ name: 'list_notes', args: {}, callId: 'call_list' }], {
          text: `Email sent to ${String(output.to)}.`,
        });
      case 'call_list': {
        const notes = Array.isArray(output.notes) ? output.notes.join(', ') : String(output.notes);
        const ticket = toolOutput(request, 'call_ticket')?.ticket;
        return reply(
          `Done: ticket ${String(ticket)} is open, facilities@example.com knows about it, and your notes are: ${notes}.`,
        );
      }
    }
  }
  // Deterministic too, and it shows in the transcript diff instead of failing the run.
  return reply(`unexpected request; the last message was ${JSON.stringify(last)}`);
}

/** The output of an earlier tool call, as the request shows it to the model. */
function toolOutput(request: ModelRequest, callId: string): Record<string, unknown> | undefined {
  const message = request.messages.find((entry) => entry.role === 'tool' && entry.callId === callId);
  return message?.role === 'tool' ? (JSON.parse(message.content) as Record<string, unknown>) : undefined;
}

/** What one host did with the conversation, read back through its own HTTP routes. */
export interface HostRun {
  host: 'local' | 'aws' | 'azure';
  /** Status and body `state` of the answer to the message, and the status of the approval's answer. */
  answers: { message: { status: number; state: unknown }; approval: { status: number } };
  /** GET /sessions/{id}/events, parsed from the JSON the host sent. */
  events: SessionEvent[];
  /** GET /sessions/{id}: the `session` of the body. */
  session: SessionView;
  /** One entry per worker (queue) invocation: the reasons of the run messages it was handed. */
  workerInvocations: string[][];
  /** What the model was asked, without the abort signal. */
  modelRequests: Omit<ModelRequest, 'signal'>[];
}

export function modelRequests(model: ScriptedModel): Omit<ModelRequest, 'signal'>[] {
  return model.calls.map(({ signal: _signal, ...request }) => request);
}
