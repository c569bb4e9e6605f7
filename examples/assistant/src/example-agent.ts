import { type Agent, type AgentTiming, defineAgent, defineTool, type Model } from '@baton/core';
import { z } from 'zod';

/**
 * The agent `npm start` serves and the cloud examples deploy. Without a model it uses the one the
 * environment configures (`BATON_MODEL`, else the offline demo model). Its tools show each guarantee:
 * session tool state (notes), an approval gate (send_email), an at-most-once side effect
 * (create_ticket, which must never run twice even across crashes) and a scheduled wake-up
 * (remind: the offline demo model's "remind 10s stretch").
 */
export function createExampleAgent(
  model?: Model | string,
  options: { timing?: Partial<AgentTiming> } = {},
): Agent {
  const addNote = defineTool({
    name: 'add_note',
    description: 'Save a note in this session so it can be listed later.',
    parameters: z.object({ text: z.string().min(1).max(2000) }),
    execute: ({ text }, { state }) => {
      const notes = state.get<string[]>('notes') ?? [];
      state.set('notes', [...notes, text]);
      return { saved: text, count: notes.length + 1 };
    },
  });

  const listNotes = defineTool({
    name: 'list_notes',
    description: 'List the notes saved in this session.',
    parameters: z.object({}),
    execute: (_args, { state }) => ({ notes: state.get<string[]>('notes') ?? [] }),
  });

  const sendEmail = defineTool({
    name: 'send_email',
    description: 'Send an email. A person must approve every email before it is sent.',
    parameters: z.object({
      to: z.email(),
      subject: z.string().min(1).max(200),
      body: z.string().max(10_000),
    }),
    needsApproval: true,
    execution: 'at-most-once',
    execute: ({ to, subject }, { state, idempotencyKey }) => {
      // A real tool would call the mail API here, passing idempotencyKey so its retries dedupe.
      const sent = state.get<string[]>('sent') ?? [];
      state.set('sent', [...sent, `${to}: ${subject}`]);
      return { sent: true, to, messageId: idempotencyKey };
    },
  });

  const createTicket = defineTool({
    name: 'create_ticket',
    description: 'Open a support ticket. Never retried: a ticket is created at most once.',
    parameters: z.object({ title: z.string().min(1).max(200) }),
    execution: 'at-most-once',
    execute: ({ title }, { state, idempotencyKey }) => {
      const tickets = state.get<string[]>('tickets') ?? [];
      state.set('tickets', [...tickets, title]);
      return { ticket: `T-${tickets.length + 1}`, title, idempotencyKey };
    },
  });

  const remind = defineTool({
    name: 'remind',
    description:
      'Remind the user later: `in` is a delay such as 10s, 5m, 2h or 1d; the text comes back as a message then.',
    parameters: z.object({
      in: z.string().regex(/^\d+[smhd]$/, 'a number and a unit: 10s, 5m, 2h or 1d'),
      text: z.string().min(1).max(500),
    }),
    // Committed with this call's result, so a retried call schedules once (see docs/live-sessions.md).
    execute: ({ in: delay, text }, ctx) => {
      const { scheduleId, dueAt } = ctx.schedule({ text: `Reminder: ${text}`, delayMs: durationMs(delay) });
      return { scheduleId, at: new Date(dueAt).toISOString() };
    },
  });

  return defineAgent({
    name: 'assistant',
    instructions:
      'You are a concise assistant. Use add_note and list_notes to remember things for the user, ' +
      'send_email to send email (a person approves each one), and create_ticket to open tickets.',
    ...(model !== undefined ? { model } : {}),
    tools: [addNote, listNotes, sendEmail, createTicket, remind],
    // A chat partner answers every message, even when several arrive while it is busy.
    policies: { inputs: 'one_at_a_time' },
    ...(options.timing ? { timing: options.timing } : {}),
  });
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10s`, `5m`, `2h`, `1d` in milliseconds (the tool's schema has checked the form). */
function durationMs(delay: string): number {
  return Number(delay.slice(0, -1)) * UNIT_MS[delay.slice(-1)]!;
}
