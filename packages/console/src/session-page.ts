import type { Head, SessionEvent, SessionRef } from '@baton/core';
import { formatCost, formatCount, formatTime, formatUsage, formatUsd } from './format.js';
import { html, prettyJson, type SafeHtml } from './html.js';
import { type ConsolePaths, page } from './layout.js';
import { statusLabel } from './list-page.js';
import type { ApprovalView, SessionDigest } from './session-digest.js';
import { conversationItem, timelineItem } from './timeline-html.js';

function costRows(digest: SessionDigest): SafeHtml {
  if (digest.cost.byModel.length === 0) return html``;
  const rows = digest.cost.byModel.map(
    (entry) =>
      html`<tr><td>${entry.model}</td><td class="num">${entry.calls}</td><td class="num">${formatUsage(entry.usage)}</td><td class="num">${entry.usd === null ? 'no price' : formatUsd(entry.usd)}</td></tr>`,
  );
  return html`<table class="cost"><caption class="meta">Estimated cost by model</caption>
<thead><tr><th scope="col">Model</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The session's figures; re-rendered whole by the live stream, hence one element with an id. */
export function summarySection(head: Head, digest: SessionDigest): SafeHtml {
  return html`<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="summary">
<dt>Status</dt><dd><span class="status status-${head.status}">${statusLabel(head.status)}</span></dd>
<dt>Tenant</dt><dd>${head.tenant}</dd>
<dt>Agent</dt><dd>${head.agent}</dd>
<dt>Events</dt><dd>${formatCount(head.seq)}</dd>
<dt>Tokens</dt><dd>${formatUsage(head.usage)}</dd>
<dt>Estimated cost</dt><dd>${formatCost(digest.cost)}</dd>
<dt>Created</dt><dd><time datetime="${new Date(head.createdAt).toISOString()}">${formatTime(head.createdAt)}</time></dd>
<dt>Updated</dt><dd><time datetime="${new Date(head.updatedAt).toISOString()}">${formatTime(head.updatedAt)}</time></dd>
${head.lease ? html`<dt>Lease</dt><dd>held by ${head.lease.owner} until ${formatTime(head.lease.expiresAt)}</dd>` : ''}
</dl>
${costRows(digest)}
<details><summary>Tool state</summary><pre>${prettyJson(head.toolState)}</pre></details>
</section>`;
}

/** Pending approvals with Approve / Reject; the buttons post to the HTTP API's approval route. */
export function approvalsSection(paths: ConsolePaths, ref: SessionRef, approvals: ApprovalView[]): SafeHtml {
  if (approvals.length === 0) return html`<section id="approvals" class="approvals" hidden></section>`;
  const items = approvals.map(
    (approval, index) => html`<article aria-labelledby="approval-${index}">
<h3 id="approval-${index}"><span class="tool">${approval.tool}</span> <span class="meta">${approval.callId}</span></h3>
${approval.unknownOutcome ? html`<p class="warning">This at-most-once call was started once and its outcome is unknown. Approving runs it again: check its effect first.</p>` : ''}
<pre>${prettyJson(approval.arguments)}</pre>
<form class="approval" data-approval-url="${paths.approval(ref, approval.callId)}" data-tenant="${ref.tenant}">
<label>Reason (optional) <input name="reason" maxlength="2000" size="40"></label>
<button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button>
<span class="form-status" role="status"></span>
</form>
</article>`,
  );
  return html`<section id="approvals" class="approvals" aria-labelledby="approvals-title">
<h2 id="approvals-title">Waiting for approval</h2>
<noscript><p>The buttons need JavaScript; or POST {"approved": true} to the approval route of the HTTP API.</p></noscript>
${items}
</section>`;
}

/** Cancel, while a run is on (running or waiting for approval): posts to the HTTP API's cancel route. */
function cancelForm(paths: ConsolePaths, ref: SessionRef, head: Head): SafeHtml {
  if (head.status === 'idle' || head.status === 'failed') return html``;
  return html`<form class="cancel-run" data-cancel-url="${paths.cancel(ref)}" data-tenant="${ref.tenant}">
<button type="submit" class="reject">Cancel the run</button> <span class="form-status" role="status"></span>
</form>`;
}

/** Agents as tools: the parent call that started this session, and the child sessions it started. */
function delegationLinks(paths: ConsolePaths, head: Head, events: readonly SessionEvent[]): SafeHtml {
  const tenant = head.tenant;
  const children = new Map<string, string>();
  for (const event of events) {
    if ((event.kind === 'tool_intent' || event.kind === 'tool_result') && event.child) {
      children.set(event.child, event.callId);
    }
  }
  if (!head.parent && children.size === 0) return html``;
  const parent = head.parent
    ? html`<dt>Started by</dt><dd><a href="${paths.session({ tenant, sessionId: head.parent.sessionId })}">${head.parent.sessionId}</a> <span class="meta">call ${head.parent.callId}</span></dd>`
    : '';
  const links = [...children].map(
    ([sessionId, callId]) =>
      html`<dd><a href="${paths.session({ tenant, sessionId })}">${sessionId}</a> <span class="meta">call ${callId}</span></dd>`,
  );
  return html`<dl id="delegation" class="summary">${parent}${children.size > 0 ? html`<dt>Agents it called</dt>${links}` : ''}</dl>`;
}

export function timelineItems(events: readonly SessionEvent[], digest: SessionDigest): SafeHtml {
  return html`${events.map((event) => timelineItem(event, digest.calls))}`;
}

export function conversationItems(events: readonly SessionEvent[]): SafeHtml {
  return html`${events.map((event) => conversationItem(event))}`;
}

export interface SessionPageView {
  head: Head;
  digest: SessionDigest;
  /** The events shown: the latest window of the log. */
  events: SessionEvent[];
  /** Seq of the first event shown; earlier ones are behind a link. */
  fromSeq: number;
}

export function sessionPage(paths: ConsolePaths, view: SessionPageView): string {
  const { head, digest, events } = view;
  const ref = { tenant: head.tenant, sessionId: head.sessionId };
  const earlier =
    view.fromSeq > 1
      ? html`<p class="meta">Showing events from #${view.fromSeq}. <a href="${paths.session(ref, { from: String(Math.max(1, view.fromSeq - events.length)) })}">Earlier events</a></p>`
      : '';
  const lastShown = events.at(-1)?.seq ?? view.fromSeq - 1;
  // Live updates append to the end, so only the latest window follows the log.
  const live = lastShown >= head.seq;
  const later = live ? '' : html`<p><a href="${paths.session(ref)}">Latest events</a></p>`;
  const body = html`<div${live ? html` data-stream-url="${paths.stream(ref, lastShown)}" data-last-seq="${lastShown}"` : ''}>
<h1>Session <span class="tool">${head.sessionId}</span></h1>
<p id="live" class="meta" role="status" aria-live="polite"></p>
${delegationLinks(paths, head, events)}
${approvalsSection(paths, ref, digest.approvals(head.status))}
${cancelForm(paths, ref, head)}
${summarySection(head, digest)}
${earlier}
<div class="columns">
<section aria-labelledby="conversation-title"><h2 id="conversation-title">Conversation</h2>
<ol id="conversation" class="conversation">${conversationItems(events)}</ol></section>
<section aria-labelledby="timeline-title"><h2 id="timeline-title">Timeline</h2>
<ol id="timeline" class="timeline">${timelineItems(events, digest)}</ol></section>
</div>
${later}
</div>`;
  return page(paths, `Session ${head.sessionId}`, body, { tenant: head.tenant });
}
