import type { JsonObject } from '@baton/core';
import { z } from 'zod';

/**
 * What a Slack input records about where it came from (in the input event's `metadata.slack`), so
 * delivery knows where to answer without parsing session ids.
 */
export interface SlackOrigin {
  channel: string;
  /** Root ts of the thread to answer in; null for slash commands, answered in the channel itself. */
  thread: string | null;
  /** The message's own ts (the trigger id for slash commands). */
  ts: string;
  user: string | null;
  kind: string;
}

const origin = z.object({
  channel: z.string().min(1),
  thread: z.string().min(1).nullable(),
  ts: z.string(),
  user: z.string().nullable(),
  kind: z.string(),
});

export function originMetadata(value: SlackOrigin): JsonObject {
  return { slack: { ...value } };
}

/** The origin of an input event, or null when it did not come from Slack. */
export function readOrigin(metadata: JsonObject | undefined): SlackOrigin | null {
  const parsed = origin.safeParse(metadata?.slack);
  return parsed.success ? parsed.data : null;
}
