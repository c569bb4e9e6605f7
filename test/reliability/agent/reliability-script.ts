import type { ModelRequest } from '@baton/core';
import {
  callTools,
  reply,
  type ScriptedResponse,
  type ToolCallSpec,
} from '../../../packages/testing/src/scripted-model.js';

/**
 * The scripted 20-step run every reliability scenario replays: 19 model turns that call tools of
 * every kind (alone and in parallel, with and without approval) and a final answer. Each turn is
 * chosen by how many assistant turns the context already holds, not by a call counter, so a process
 * that resumes a crashed run gets exactly the answers the uncrashed run got. Call ids are fixed so
 * transcripts of different runs compare equal.
 */
const TURNS: ToolCallSpec[][] = [
  [{ name: 'lookup', args: { id: 1 } }],
  [{ name: 'add_note', args: { text: 'customer called' } }],
  [{ name: 'charge', args: { cents: 1200 } }],
  [
    { name: 'lookup', args: { id: 2 } },
    { name: 'add_note', args: { text: 'order 2 checked' } },
  ],
  [{ name: 'send_email', args: { to: 'ana@example.com', subject: 'Receipt' } }],
  [
    { name: 'charge', args: { cents: 300 } },
    { name: 'lookup', args: { id: 3 } },
  ],
  [{ name: 'add_note', args: { text: 'refund pending' } }],
  [{ name: 'publish', args: { page: 'status' } }],
  [
    { name: 'charge', args: { cents: 450 } },
    { name: 'charge', args: { cents: 460 } },
  ],
  [{ name: 'lookup', args: { id: 4 } }],
  [{ name: 'add_note', args: { text: 'second charge done' } }],
  [
    { name: 'send_email', args: { to: 'bo@example.com', subject: 'Update' } },
    { name: 'add_note', args: { text: 'mail queued' } },
  ],
  [{ name: 'lookup', args: { id: 5 } }],
  [{ name: 'charge', args: { cents: 999 } }],
  [{ name: 'add_note', args: { text: 'all charged' } }],
  [
    { name: 'lookup', args: { id: 6 } },
    { name: 'lookup', args: { id: 7 } },
  ],
  [{ name: 'publish', args: { page: 'summary' } }],
  [{ name: 'add_note', args: { text: 'wrapping up' } }],
  [{ name: 'charge', args: { cents: 50 } }],
];

export const FINAL_TEXT = 'All done: 6 charges, 2 emails, 2 pages, 7 notes.';
export const SCRIPT_STEPS = TURNS.length + 1;
export const START_TEXT = 'Please process the order backlog.';

/** The answer for the turn the context has reached. */
export function reliabilityTurn(request: ModelRequest): ScriptedResponse {
  const turn = request.messages.filter((message) => message.role === 'assistant').length;
  const calls = TURNS[turn];
  if (!calls) return reply(FINAL_TEXT);
  return callTools(
    calls.map((call, index) => ({ ...call, callId: `t${String(turn).padStart(2, '0')}-${index}` })),
    { text: `step ${turn + 1}` },
  );
}
