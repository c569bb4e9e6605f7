import type { Clock, ListPage, ListQuery, PendingQuery } from '@baton/core';
import { parseHead } from '@baton/core/store';
import type { CosmosGateway } from './cosmos-gateway.js';
import { type HeadDocument, isExpired } from './documents.js';

const DEFAULT_LIMIT = 50;

/**
 * Lists heads across partitions, most recently updated first, one page per call (the continuation
 * token is the cursor): indexed on type, tenant, status and updatedAt.
 */
export function listSessions(gateway: CosmosGateway, clock: Clock, query: ListQuery): Promise<ListPage> {
  const clauses = ["c.type = 'head'"];
  const parameters: Record<string, string | number> = {};
  if (query.tenant !== undefined) {
    clauses.push('c.tenant = @tenant');
    parameters['@tenant'] = query.tenant;
  }
  if (query.status !== undefined) {
    clauses.push('c.status = @status');
    parameters['@status'] = query.status;
  }
  return headPage(gateway, clock, { clauses, parameters, order: 'ORDER BY c.updatedAt DESC', query });
}

/**
 * Heads with pending work: only their documents carry `pending: true` (written in the head's own
 * batch operation), so the query is served from the index of that one property and reads nothing
 * of settled sessions. Oldest update first, which is where stalled sessions are.
 */
export function listPendingSessions(
  gateway: CosmosGateway,
  clock: Clock,
  query: PendingQuery,
): Promise<ListPage> {
  return headPage(gateway, clock, {
    clauses: ['c.pending = true', "c.type = 'head'"],
    parameters: {},
    order: 'ORDER BY c.updatedAt',
    query,
  });
}

async function headPage(
  gateway: CosmosGateway,
  clock: Clock,
  spec: {
    clauses: string[];
    parameters: Record<string, string | number>;
    order: string;
    query: { limit?: number; cursor?: string };
  },
): Promise<ListPage> {
  const now = clock.now();
  const clauses = [...spec.clauses, '(NOT IS_DEFINED(c.expiresAt) OR c.expiresAt > @now)'];
  const page = await gateway.page<HeadDocument>(
    `SELECT * FROM c WHERE ${clauses.join(' AND ')} ${spec.order}`,
    { ...spec.parameters, '@now': now },
    'list sessions',
    // Without enableQueryControl the SDK refuses a continuation token for a cross-partition ORDER BY
    // (the emulator never takes that path: it answers cross-partition queries itself).
    {
      maxItemCount: spec.query.limit ?? DEFAULT_LIMIT,
      continuationToken: spec.query.cursor,
      enableQueryControl: true,
    },
  );
  const sessions = page.items
    .filter((document) => !isExpired(document, now))
    .map((document) => parseHead(document.head));
  return page.cursor ? { sessions, cursor: page.cursor } : { sessions };
}
