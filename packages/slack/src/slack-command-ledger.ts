import { createHash } from 'node:crypto';
import {
  ConflictError,
  DuplicateError,
  type Head,
  newHead,
  SCHEMA_VERSION,
  type SessionRef,
  sessionRef,
} from '@baton/core';
import type { SlackChannel } from './slack-channel.js';
import { header, type SlackHeaders } from './slack-signature.js';

/**
 * A signed slash command stays valid for the 5-minute signature window, so a captured one (a
 * `/baton reset`) could be sent again. Each command is claimed once, before it acts, by a dedupe
 * record keyed by its signature and timestamp. The record is kept in the store, so every instance
 * of a function host sees it, and in a ledger session of the workspace rather than the session the
 * command acts on: a reset deletes that session with its dedupe records, and the replay of a reset
 * must still find its claim.
 */

const ATTEMPTS = 8;

/** The workspace's ledger: a Slack session id no conversation can have (conversations have three parts). */
export function commandLedgerRef(ids: {
  enterpriseId?: string | null | undefined;
  teamId: string;
}): SessionRef {
  return sessionRef(ids.enterpriseId || ids.teamId, `slack:${ids.teamId}:commands`);
}

/** The dedupe key of a signed request: what a replay repeats exactly, and nothing else does. */
export function commandKey(headers: SlackHeaders): string {
  const signature = header(headers, 'x-slack-signature') ?? '';
  const timestamp = header(headers, 'x-slack-request-timestamp') ?? '';
  const digest = createHash('sha256').update(`${timestamp}:${signature}`).digest('hex').slice(0, 40);
  return `slack:command:${digest}`;
}

/**
 * Claims a command: true the first time its signed request is seen, false for a replay (or a
 * concurrent second delivery). The claim is one conditional commit of the ledger's head (no
 * events) with the dedupe record, so two instances cannot both win.
 */
export async function claimCommand(
  slack: SlackChannel,
  ledger: SessionRef,
  headers: SlackHeaders,
): Promise<boolean> {
  const { store, clock } = slack.baton;
  const dedupeKey = commandKey(headers);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await store.getDedupe(ledger, dedupeKey)) return false;
    const now = clock.now();
    const base =
      (await store.readHead(ledger)) ?? newHead(ledger.tenant, ledger.sessionId, ledgerAgent(slack), now);
    const head: Head = { ...base, v: SCHEMA_VERSION, version: base.version + 1, updatedAt: now };
    try {
      await store.commit({
        ref: ledger,
        expectedVersion: base.version === 0 ? null : base.version,
        head,
        events: [],
        dedupe: { dedupeKey, result: { at: now } },
      });
      return true;
    } catch (error) {
      if (error instanceof DuplicateError) return false;
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError('the Slack command ledger is too busy; try the command again');
}

/** The ledger never runs; its head still names an agent the app serves, as every head does. */
function ledgerAgent(slack: SlackChannel): string {
  return slack.agent ?? [...slack.baton.agents.keys()][0]!;
}
