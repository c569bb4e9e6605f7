import { z } from 'zod';
import type { RunMessage } from '../queue.js';
import { sessionRef } from '../session-ref.js';

/** Built on the first parse: an HTTP cold start only writes run messages, and never pays for it. */
const buildSchema = () =>
  z.object({
    v: z.literal(1),
    tenant: z.string(),
    sessionId: z.string(),
    reason: z.enum(['input', 'decision', 'continue', 'retry', 'outbox', 'wake']),
    dedupeKey: z.string().min(1).max(1024),
    traceparent: z.string().max(512).optional(),
    notBefore: z.number().int().nonnegative().optional(),
    schedule: z.object({ id: z.string().min(1).max(64), dueAt: z.number().int().nonnegative() }).optional(),
  });
let runMessageSchema: ReturnType<typeof buildSchema> | undefined;

export type ParsedRunMessage = { ok: true; message: RunMessage } | { ok: false; reason: string };

/**
 * Reads what a queue delivered as a run message, whatever form the host hands it in: JSON text,
 * bytes, or an already parsed object (the Azure Functions worker parses JSON messages). A message
 * that fails here can never succeed, however often it is delivered.
 *
 * @example
 * const parsed = parseRunMessage(record.body);
 * if (!parsed.ok) console.error(parsed.reason);
 */
export function parseRunMessage(entry: unknown): ParsedRunMessage {
  let value = entry;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, reason: 'the message is not JSON' };
    }
  }
  runMessageSchema ??= buildSchema();
  const parsed = runMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`,
    );
    return { ok: false, reason: `not a run message: ${issues.join('; ')}` };
  }
  try {
    sessionRef(parsed.data.tenant, parsed.data.sessionId);
  } catch (error) {
    return { ok: false, reason: `not a run message: ${(error as Error).message}` };
  }
  const { traceparent, notBefore, schedule, ...rest } = parsed.data;
  return {
    ok: true,
    message: {
      ...rest,
      ...(traceparent !== undefined ? { traceparent } : {}),
      ...(notBefore !== undefined ? { notBefore } : {}),
      ...(schedule !== undefined ? { schedule } : {}),
    },
  };
}
