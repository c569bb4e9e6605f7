import type { Head, ListPage, SessionStatus } from '@baton/core';
import { formatCount, formatTime } from './format.js';
import { html } from './html.js';
import { type ConsolePaths, page } from './layout.js';

export const STATUSES: SessionStatus[] = ['idle', 'running', 'waiting_approval', 'waiting_child', 'failed'];

export interface ListFilters {
  /** '' lists every tenant (stores without a tenant index scan). */
  tenant: string;
  status: SessionStatus | undefined;
  limit: number;
  cursor: string | undefined;
}

const STATUS_LABEL: Record<SessionStatus, string> = {
  idle: 'idle',
  running: 'running',
  waiting_approval: 'waiting for approval',
  waiting_child: 'waiting for an agent',
  failed: 'failed',
};

export function statusLabel(status: SessionStatus): string {
  return STATUS_LABEL[status] ?? status;
}

function row(paths: ConsolePaths, head: Head) {
  const ref = { tenant: head.tenant, sessionId: head.sessionId };
  return html`<tr>
<th scope="row"><a href="${paths.session(ref)}">${head.sessionId}</a></th>
<td>${head.tenant}</td>
<td>${head.agent}</td>
<td><span class="status status-${head.status}">${statusLabel(head.status)}</span></td>
<td class="num">${formatCount(head.seq)}</td>
<td class="num">${formatCount(head.usage.inputTokens)} / ${formatCount(head.usage.outputTokens)}</td>
<td><time datetime="${new Date(head.updatedAt).toISOString()}">${formatTime(head.updatedAt)}</time></td>
</tr>`;
}

/** The session list: filters as a plain GET form, so every view has a link. */
export function listPage(paths: ConsolePaths, filters: ListFilters, result: ListPage): string {
  const options = [
    html`<option value="">any</option>`,
    ...STATUSES.map(
      (status) =>
        html`<option value="${status}"${filters.status === status ? html` selected` : ''}>${statusLabel(status)}</option>`,
    ),
  ];
  const tenant = filters.tenant || undefined;
  const next = result.cursor
    ? html`<p><a href="${paths.list({ tenant, status: filters.status, limit: String(filters.limit), cursor: result.cursor })}" rel="next">Next page</a></p>`
    : '';
  const rows =
    result.sessions.length > 0
      ? result.sessions.map((head) => row(paths, head))
      : html`<tr><td colspan="7">No sessions match.</td></tr>`;
  const body = html`<h1>Sessions</h1>
<form class="filters" method="get" action="${paths.list()}" role="search">
<label>Tenant <input name="tenant" value="${filters.tenant}" placeholder="all tenants" size="16"></label>
<label>Status <select name="status">${options}</select></label>
<label>Per page <input name="limit" type="number" min="1" max="500" value="${filters.limit}" size="4"></label>
<button type="submit">Filter</button>
</form>
<p class="quick">Show:
<a href="${paths.list({ tenant, status: 'waiting_approval' })}">waiting for approval</a>
<a href="${paths.list({ tenant, status: 'failed' })}">errors (failed runs)</a>
<a href="${paths.list({ tenant, status: 'running' })}">running</a>
<a href="${paths.list({ tenant })}">all</a></p>
<table>
<caption class="meta">${result.sessions.length} session(s)${filters.status ? html`, status ${statusLabel(filters.status)}` : ''}${tenant ? html`, tenant ${tenant}` : ''}, most recently updated first</caption>
<thead><tr><th scope="col">Session</th><th scope="col">Tenant</th><th scope="col">Agent</th><th scope="col">Status</th><th scope="col" class="num">Events</th><th scope="col" class="num">Tokens in / out</th><th scope="col">Updated</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${next}`;
  return page(paths, 'Sessions', body, tenant ? { tenant } : {});
}
