import { type RunMessage, sessionRef } from '@baton/core';
import { z } from 'zod';

const runMessageSchema = z.object({
  v: z.literal(1),
  tenant: z.string(),
  sessionId: z.string(),
  reason: z.enum(['input', 'decision', 'continue', 'retry']),
  dedupeKey: z.string().min(1).max(1024),
  traceparent: z.string().max(512).optional(),
});

export type ParsedRunMessage = { ok: true; message: RunMessage } | { ok: false; error: string };

/**
 * The text a run message travels as: JSON, base64-encoded because the Functions host decodes
 * queue messages as base64 by default (host.json `extensions.queues.messageEncoding`).
 */
export function encodeRunMessage(message: RunMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/**
 * Validates what a queue trigger received. The Node worker hands over the decoded message parsed
 * as JSON when it is JSON, else the string (or bytes): accept all three so a malformed message is
 * answered here and never reaches the core.
 */
export function parseRunMessage(entry: unknown): ParsedRunMessage {
  let value = entry;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, error: 'the message is not JSON' };
    }
  }
  const parsed = runMessageSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, error: `not a run message: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}` };
  }
  try {
    sessionRef(parsed.data.tenant, parsed.data.sessionId);
  } catch (error) {
    return { ok: false, error: `not a run message: ${(error as Error).message}` };
  }
  const { traceparent, ...rest } = parsed.data;
  return { ok: true, message: traceparent === undefined ? rest : { ...rest, traceparent } };
}
