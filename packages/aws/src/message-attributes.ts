/** SQS message attribute names. The session is readable without parsing the body (console, DLQ). */
export const ATTRIBUTE = {
  tenant: 'baton-tenant',
  session: 'baton-session',
  reason: 'baton-reason',
  /** Set on messages this adapter dead-letters, so the DLQ says why. */
  errorCode: 'baton-error-code',
  errorMessage: 'baton-error-message',
  sourceMessageId: 'baton-source-message-id',
} as const;
