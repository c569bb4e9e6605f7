import { type RunMessage, type SessionRef, sessionRef } from '@baton/core';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';

/** SQS message attribute names. The session is readable without parsing the body (console, DLQ). */
export const ATTRIBUTE = {
  tenant: 'baton-tenant',
  session: 'baton-session',
  reason: 'baton-reason',
  /** Epoch ms before which the message must not run: delays SQS cannot express (over 900 s, FIFO). */
  notBefore: 'baton-not-before',
  /** Set on messages this adapter dead-letters, so the DLQ says why. */
  errorCode: 'baton-error-code',
  errorMessage: 'baton-error-message',
  sourceMessageId: 'baton-source-message-id',
} as const;

const runMessageSchema = z.object({
  v: z.literal(1),
  tenant: z.string(),
  sessionId: z.string(),
  reason: z.enum(['input', 'decision', 'continue', 'retry']),
  dedupeKey: z.string().min(1).max(2048),
  traceparent: z.string().max(512).optional(),
});

export type ParsedRecord =
  | { ok: true; message: RunMessage; ref: SessionRef; notBefore: number | undefined }
  | { ok: false; reason: string };

/**
 * Reads one SQS record as a RunMessage: JSON, the schema, and a valid session ref. A record that
 * fails any of these can never succeed, however often it is delivered.
 *
 * @example
 * const parsed = parseRunRecord(record);
 * if (parsed.ok) await baton.handle(parsed.message, { deadline });
 */
export function parseRunRecord(record: Pick<SQSRecord, 'body' | 'messageAttributes'>): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = runMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    );
    return { ok: false, reason: `the body is not a run message: ${issues.join('; ')}` };
  }
  let ref: SessionRef;
  try {
    ref = sessionRef(parsed.data.tenant, parsed.data.sessionId);
  } catch (error) {
    return { ok: false, reason: `the body names no valid session: ${(error as Error).message}` };
  }
  const { traceparent, ...rest } = parsed.data;
  const message: RunMessage = { ...rest, ...(traceparent !== undefined ? { traceparent } : {}) };
  const notBeforeText = record.messageAttributes?.[ATTRIBUTE.notBefore]?.stringValue;
  const notBefore = notBeforeText !== undefined ? Number(notBeforeText) : Number.NaN;
  return { ok: true, message, ref, notBefore: Number.isFinite(notBefore) ? notBefore : undefined };
}
