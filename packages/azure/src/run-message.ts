import type { RunMessage } from '@baton/core';

/**
 * The text a run message travels as: JSON, base64-encoded because the Functions host decodes
 * queue messages as base64 by default (host.json `extensions.queues.messageEncoding`). Reading it
 * back is core's `parseRunMessage`, inside `app.deliver`.
 */
export function encodeRunMessage(message: RunMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}
