import { randomBytes } from 'node:crypto';
import { BatonError, ConflictError, SessionNotFoundError, ValidationError } from '../errors.js';
import type { CommitTarget } from '../head-commit.js';
import { commitHead, retryConflicts } from '../head-commit.js';
import { refKey, type SessionRef } from '../session-ref.js';
import {
  MAX_SESSION_WEBHOOKS,
  type SessionWebhook,
  type WebhookEventType,
  type WebhookUrlPolicy,
  webhookEventsProblem,
  webhookUrlProblem,
} from './webhook-config.js';

/** What `POST /sessions/{id}/webhooks` answers: the webhook with its secret, shown this once. */
export type RegisteredWebhook = SessionWebhook;

/**
 * Registers a callback URL on a session, stored on its head (one write, no event: the secret
 * stays out of the log). The secret is generated here and returned once; Baton signs every
 * delivery with it. Throws ValidationError (400) for a bad URL or event list, SessionNotFoundError
 * (404), and a 409 `too_many_webhooks` past MAX_SESSION_WEBHOOKS.
 *
 * @example
 * const { id, secret } = await registerSessionWebhook(baton, ref, { url: 'https://example.com/hook', events: ['run.finished'] }, { allowLocalHttp: false, allowPrivate: false });
 */
export function registerSessionWebhook(
  target: CommitTarget,
  ref: SessionRef,
  request: { url: unknown; events: unknown },
  policy: WebhookUrlPolicy,
): Promise<RegisteredWebhook> {
  if (typeof request.url !== 'string') throw new ValidationError('url must be a string', { field: 'url' });
  const urlProblem = webhookUrlProblem(request.url, policy);
  if (urlProblem) throw new ValidationError(urlProblem, { field: 'url' });
  const eventsProblem = webhookEventsProblem(request.events);
  if (eventsProblem) throw new ValidationError(eventsProblem, { field: 'events' });
  const webhook: SessionWebhook = {
    id: `wh_${randomBytes(9).toString('base64url')}`,
    url: request.url,
    events: [...new Set(request.events as WebhookEventType[])],
    secret: `whsec_${randomBytes(24).toString('base64url')}`,
    createdAt: target.clock.now(),
  };
  return retryConflicts(
    target.clock,
    async () => {
      const head = await target.store.readHead(ref);
      if (!head) throw new SessionNotFoundError(refKey(ref));
      const existing = head.webhooks ?? [];
      if (existing.length >= MAX_SESSION_WEBHOOKS) {
        throw new BatonError(
          'too_many_webhooks',
          `a session may register at most ${MAX_SESSION_WEBHOOKS} webhooks; this one has ${existing.length}`,
          { status: 409 },
        );
      }
      await commitHead(target, ref, head, {
        update: (next) => ({ ...next, webhooks: [...existing, webhook] }),
      });
      return webhook;
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy to register a webhook; try again`),
  );
}

/** A session's webhooks as the API shows them: without their secrets. */
export function publicWebhooks(
  webhooks: readonly SessionWebhook[] | undefined,
): Omit<SessionWebhook, 'secret'>[] {
  return (webhooks ?? []).map(({ secret: _secret, ...rest }) => rest);
}
