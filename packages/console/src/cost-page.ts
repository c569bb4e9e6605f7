import type { CostTally } from '@baton/core';
import type { TenantCost } from './cost-report.js';
import { formatCost, formatCount, formatUsage, formatUsd } from './format.js';
import { html } from './html.js';
import { type ConsolePaths, page } from './layout.js';

function modelRows(total: CostTally) {
  return total.byModel.map(
    (entry) =>
      html`<tr><th scope="row">${entry.model}</th><td class="num">${formatCount(entry.calls)}</td><td class="num">${formatUsage(entry.usage)}</td><td class="num">${entry.usd === null ? 'no price' : formatUsd(entry.usd)}</td></tr>`,
  );
}

/** A tenant's estimated cost, by model and by session. */
export function costPage(paths: ConsolePaths, report: TenantCost): string {
  const sessions = [...report.sessions].sort((a, b) => b.cost.usd - a.cost.usd);
  const body = html`<h1>Estimated cost</h1>
<form class="filters" method="get" action="${paths.cost('')}">
<label>Tenant <input name="tenant" value="${report.tenant}" required size="16"></label>
<button type="submit">Show</button>
</form>
<p>Tenant <strong>${report.tenant}</strong>: <strong>${formatCost(report.total)}</strong> over ${formatCount(report.sessions.length)} session(s), ${formatCount(report.total.calls)} model call(s), ${formatUsage(report.total.usage)} tokens.</p>
<p class="meta">Estimates from list prices (override them with a JSON file named by BATON_PRICES).</p>
<table><caption class="meta">By model</caption>
<thead><tr><th scope="col">Model</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${modelRows(report.total)}</tbody></table>
<table><caption class="meta">By session, most expensive first</caption>
<thead><tr><th scope="col">Session</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${sessions.map(
    ({ head, cost }) =>
      html`<tr><th scope="row"><a href="${paths.session({ tenant: head.tenant, sessionId: head.sessionId })}">${head.sessionId}</a></th><td class="num">${formatCount(cost.calls)}</td><td class="num">${formatUsage(cost.usage)}</td><td class="num">${formatCost(cost)}</td></tr>`,
  )}</tbody></table>`;
  return page(paths, `Cost of ${report.tenant}`, body, { tenant: report.tenant });
}
