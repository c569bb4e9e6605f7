/**
 * The app `npm run soak` serves with `baton serve --config`: one chat agent (one reply per
 * input) on the environment's model (the soak's fake OpenAI-compatible server), with two
 * at-most-once tools that append a line per execution to the ledger file SOAK_LEDGER, outside the
 * store, so the audit can count executions across SIGKILLs: `create_ticket`, and `send_email`,
 * which a person must approve first.
 */
import { appendFileSync } from 'node:fs';
import { defineAgent, defineBaton, defineTool, type ToolContext } from '@baton/core';
import { z } from 'zod';

const ledger = process.env.SOAK_LEDGER;
if (!ledger) throw new Error('SOAK_LEDGER must name the execution ledger file');

/** One line per execution, appended in one write (O_APPEND) before the tool returns. */
function record(tool: string, subject: string, context: ToolContext): void {
  const line = { tool, subject, session: context.session.sessionId, callId: context.callId };
  appendFileSync(ledger!, `${JSON.stringify({ ...line, key: context.idempotencyKey })}\n`);
}

const createTicket = defineTool({
  name: 'create_ticket',
  description: 'Open a support ticket; never run twice.',
  parameters: z.object({ title: z.string().min(1) }),
  execution: 'at-most-once',
  execute: ({ title }, context) => {
    record('create_ticket', title, context);
    return { ticket: context.idempotencyKey };
  },
});

const sendEmail = defineTool({
  name: 'send_email',
  description: 'Send an email once a person approves it; never run twice.',
  parameters: z.object({ subject: z.string().min(1) }),
  needsApproval: true,
  execution: 'at-most-once',
  execute: ({ subject }, context) => {
    record('send_email', subject, context);
    return { sent: true, messageId: context.idempotencyKey };
  },
});

export default defineBaton({
  agents: [
    defineAgent({
      name: 'soak',
      instructions: 'Answer every message; open tickets and send emails when asked.',
      tools: [createTicket, sendEmail],
      policies: { inputs: 'one_at_a_time' },
    }),
  ],
});
