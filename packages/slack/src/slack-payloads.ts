import { z } from 'zod';

/**
 * The Slack payloads Baton reads, validated with zod. Objects are loose: Slack adds fields often,
 * and a field we do not read must never turn a valid request into an error.
 */

/** Workspace, channel, user, bot and app ids: upper-case letters and digits (safe in tenant names and session ids). */
export const slackId = z.string().regex(/^[A-Za-z0-9]{1,64}$/);
/** Message timestamps: seconds '.' microseconds, the message's identity within a channel. */
export const slackTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

const authorization = z.looseObject({
  enterprise_id: slackId.nullish(),
  team_id: slackId.nullish(),
  user_id: slackId.nullish(),
  is_bot: z.boolean().optional(),
});

export const urlVerification = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(512),
});

export const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: slackId,
  enterprise_id: slackId.nullish(),
  api_app_id: slackId.optional(),
  event_id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  event_time: z.number().optional(),
  authorizations: z.array(authorization).max(100).optional(),
  event: z.looseObject({ type: z.string().min(1).max(100) }),
});
export type EventCallback = z.infer<typeof eventCallback>;

/** The part of a message that edits and deletions carry inside `message` / `previous_message`. */
const innerMessage = z.looseObject({
  user: slackId.optional(),
  text: z.string().optional(),
  ts: slackTs.optional(),
  thread_ts: slackTs.optional(),
  bot_id: z.string().optional(),
  app_id: z.string().optional(),
  subtype: z.string().optional(),
});

export const messageEvent = z.looseObject({
  type: z.enum(['message', 'app_mention']),
  channel: slackId,
  channel_type: z.string().optional(),
  user: slackId.optional(),
  text: z.string().optional(),
  ts: slackTs,
  thread_ts: slackTs.optional(),
  subtype: z.string().optional(),
  bot_id: z.string().nullish(),
  app_id: z.string().optional(),
  bot_profile: z.looseObject({ app_id: z.string().optional() }).nullish(),
  message: innerMessage.optional(),
  previous_message: innerMessage.optional(),
});
export type MessageEvent = z.infer<typeof messageEvent>;

export const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  api_app_id: slackId.optional(),
  team: z.looseObject({ id: slackId, enterprise_id: slackId.nullish() }).nullish(),
  enterprise: z.looseObject({ id: slackId }).nullish(),
  user: z.looseObject({ id: slackId }),
  channel: z.looseObject({ id: slackId }).nullish(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        action_ts: z.string().optional(),
      }),
    )
    .min(1)
    .max(25),
});
export type BlockActions = z.infer<typeof blockActions>;

/** Interactivity payloads are a union on `type`; only block_actions is acted on. */
export const interactionType = z.looseObject({ type: z.string().min(1).max(100) });

export const slashCommand = z.object({
  command: z.string().regex(/^\/[^\s/]{1,64}$/),
  text: z.string().max(4000).default(''),
  team_id: slackId,
  enterprise_id: z
    .string()
    .optional()
    .transform((value) => value || undefined)
    .pipe(slackId.optional()),
  channel_id: slackId,
  user_id: slackId,
  trigger_id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
});
export type SlashCommand = z.infer<typeof slashCommand>;

/** What our approval buttons carry in `value`: enough to find the call without a lookup. */
export const approvalButtonValue = z.object({
  v: z.literal(1),
  t: z.string().min(1).max(128),
  s: z.string().min(1).max(256),
  c: z.string().min(1).max(256),
});
export type ApprovalButtonValue = z.infer<typeof approvalButtonValue>;
