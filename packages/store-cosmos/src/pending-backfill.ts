import type { Container, CosmosClient } from '@azure/cosmos';
import { type Head, systemClock } from '@baton/core';
import {
  hasPendingWork,
  type PendingBackfillOptions,
  type PendingBackfillProgress,
  parseHead,
  startBackfill,
} from '@baton/core/store';
import type { ContainerNames } from './container-definition.js';
import { mapCosmosError } from './cosmos-errors.js';
import { CosmosGateway, emptyStats, withoutSystemFields } from './cosmos-gateway.js';
import { type HeadDocument, partitionKeyOf } from './documents.js';

export type { PendingBackfillOptions, PendingBackfillProgress };

type StoredHead = HeadDocument & { _etag?: string };

/**
 * Gives `pending: true` to head documents written before the pending index existed, so the
 * sweeper sees their pending work. One-off, resumable and idempotent: a cross-partition query for
 * running and approval-waiting heads that lack the property (a second run reads only those still
 * unmarked), and a replace of each head with pending work conditioned on the ETag it read, so a
 * head a commit changed meanwhile is left to that commit, which wrote the marker itself. The head's
 * record and version are unchanged; its `ttl` is shortened to what was left, so Cosmos still
 * deletes it when its last commit said. A store instance that remembered the old ETag fails its
 * next commit on that session once with a ConflictError, which the run retries.
 *
 * @example
 * const done = await backfillPendingIndex(client, { database: 'baton', container: 'sessions' }, {
 *   onPage: (progress) => console.log(progress.marked, progress.resumeToken),
 * });
 */
export async function backfillPendingIndex(
  client: CosmosClient,
  names: ContainerNames,
  options: PendingBackfillOptions = {},
): Promise<PendingBackfillProgress> {
  const { pageSize, progress } = startBackfill(options);
  const clock = options.clock ?? systemClock;
  const container = client.database(names.database).container(names.container);
  const gateway = new CosmosGateway(container, emptyStats());
  let cursor = options.startKey;
  do {
    const page = await gateway.page<StoredHead>(
      "SELECT * FROM c WHERE c.type = 'head' AND NOT IS_DEFINED(c.pending) AND (c.status = 'running' OR c.status = 'waiting_approval') AND (NOT IS_DEFINED(c.expiresAt) OR c.expiresAt > @now)",
      { '@now': clock.now() },
      'read heads for the pending backfill',
      { maxItemCount: pageSize, ...(cursor === undefined ? {} : { continuationToken: cursor }) },
    );
    progress.pages++;
    progress.headsRead += page.items.length;
    for (const document of page.items) {
      const head = readHead(document);
      if (head === null) progress.unreadable++;
      else if (!hasPendingWork(head)) continue;
      else if (document.pending === true) {
        progress.pending++;
        progress.alreadyMarked++;
      } else {
        progress.pending++;
        progress[await mark(container, document, clock.now())]++;
      }
    }
    cursor = page.cursor;
    if (cursor) progress.resumeToken = cursor;
    else delete progress.resumeToken;
    options.onPage?.({ ...progress });
  } while (cursor && (options.maxPages === undefined || progress.pages < options.maxPages));
  return progress;
}

function readHead(document: StoredHead): Head | null {
  try {
    const head = parseHead(document.head);
    // The marker belongs to the session the document's partition holds; anything else is left alone.
    return partitionKeyOf(head) === document.pk ? head : null;
  } catch {
    return null;
  }
}

async function mark(container: Container, document: StoredHead, now: number): Promise<'marked' | 'movedOn'> {
  if (!document._etag) return 'movedOn';
  const marked: HeadDocument = { ...withoutSystemFields(document), pending: true };
  // Cosmos counts ttl from the last write: keep the deletion where the head's last commit put it.
  if (typeof marked.ttl === 'number' && typeof marked.expiresAt === 'number') {
    marked.ttl = Math.max(1, Math.ceil((marked.expiresAt - now) / 1000));
  }
  try {
    await container
      .item(document.id, document.pk)
      .replace(marked, { accessCondition: { type: 'IfMatch', condition: document._etag } });
    return 'marked';
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 412 || code === 404) return 'movedOn';
    throw mapCosmosError(error, 'mark a head for the pending index');
  }
}
