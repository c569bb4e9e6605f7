import type { ConsoleResponse } from './console-types.js';

/**
 * The console's only script and stylesheet, served from the console's own routes so the pages can
 * forbid inline scripts and styles (Content-Security-Policy) and work the same behind any host.
 * Kept as strings so bundling the console for a function needs no file copying.
 */

export const CONSOLE_SCRIPT = `'use strict';
(function () {
  function setText(node, text) { if (node) node.textContent = text; }

  // Approve / Reject: the decision goes to the HTTP API's approval route, as any client's would.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('approval')) return;
    event.preventDefault();
    var approved = !!(event.submitter && event.submitter.value === 'approve');
    var reasonField = form.elements.namedItem('reason');
    var reason = reasonField && reasonField.value ? reasonField.value.trim() : '';
    var status = form.querySelector('.form-status');
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (button) { button.disabled = true; });
    setText(status, approved ? 'Approving...' : 'Rejecting...');
    var body = reason ? { approved: approved, reason: reason } : { approved: approved };
    fetch(form.dataset.approvalUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-baton-tenant': form.dataset.tenant },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.ok) {
        setText(status, approved ? 'Approved: the run resumes.' : 'Rejected: the run resumes.');
        return;
      }
      return response.json().catch(function () { return null; }).then(function (answer) {
        var message = answer && answer.error && answer.error.message ? answer.error.message : 'HTTP ' + response.status;
        setText(status, 'Not recorded: ' + message);
        buttons.forEach(function (button) { button.disabled = false; });
      });
    }, function (error) {
      setText(status, 'Not recorded: ' + error.message);
      buttons.forEach(function (button) { button.disabled = false; });
    });
  });

  // Cancel: posted to the HTTP API's cancel route, with the same credentials and headers.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('cancel-run')) return;
    event.preventDefault();
    var status = form.querySelector('.form-status');
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    setText(status, 'Cancelling...');
    fetch(form.dataset.cancelUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-baton-tenant': form.dataset.tenant },
      body: '{}',
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (answer) {
        if (response.ok) {
          setText(status, answer && answer.cancelled === false ? 'Nothing to cancel: the run had ended.' : 'Cancelled: the run stops.');
          return;
        }
        var message = answer && answer.error && answer.error.message ? answer.error.message : 'HTTP ' + response.status;
        setText(status, 'Not cancelled: ' + message);
        if (button) button.disabled = false;
      });
    }, function (error) {
      setText(status, 'Not cancelled: ' + error.message);
      if (button) button.disabled = false;
    });
  });

  // Live updates: the server renders (and escapes) every fragment; this only places them.
  var page = document.querySelector('[data-stream-url]');
  if (!page || !('EventSource' in window)) return;
  var lastSeq = Number(page.dataset.lastSeq || '0');
  var timeline = document.getElementById('timeline');
  var conversation = document.getElementById('conversation');
  var live = document.getElementById('live');
  var draft = null;
  function dropDraft() { if (draft) { draft.remove(); draft = null; } }
  var source = new EventSource(page.dataset.streamUrl);
  source.addEventListener('update', function (message) {
    var data = JSON.parse(message.data);
    if (data.seq > lastSeq) {
      // The committed answer replaces the draft of it.
      dropDraft();
      if (timeline && data.timeline) timeline.insertAdjacentHTML('beforeend', data.timeline);
      if (conversation && data.conversation) conversation.insertAdjacentHTML('beforeend', data.conversation);
      lastSeq = data.seq;
    }
    var summary = document.getElementById('summary');
    if (summary && data.summary) summary.outerHTML = data.summary;
    var approvals = document.getElementById('approvals');
    if (approvals && data.approvals) approvals.outerHTML = data.approvals;
    setText(live, data.announce || '');
  });
  // The answer being written (not committed yet): plain text, placed with textContent only.
  source.addEventListener('live', function (message) {
    var data = JSON.parse(message.data);
    if (!conversation || data.seq < lastSeq) return;
    if (!draft) {
      draft = document.createElement('li');
      draft.className = 'message message-assistant message-live';
      draft.setAttribute('aria-busy', 'true');
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = 'assistant (writing)';
      var text = document.createElement('p');
      text.className = 'text';
      draft.append(who, text);
      conversation.append(draft);
    }
    setText(draft.querySelector('.text'), data.text);
  });
  source.addEventListener('gone', function () {
    source.close();
    setText(live, 'This session no longer exists.');
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
`;

export const CONSOLE_STYLE = `:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --soft: #f6f8fa; --bad: #b42318; --ok: #1a7f37; --warn: #9a6700; --link: #0550ae; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --line: #3d444d; --bg: #0d1117; --soft: #161b22; --bad: #ff7b72; --ok: #3fb950; --warn: #d29922; --link: #79c0ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; }
header.top { display: flex; gap: 24px; align-items: baseline; padding: 12px 24px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .brand { font-weight: 700; }
header.top nav a { margin-right: 16px; }
main { padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
input, select, button { font: inherit; padding: 4px 8px; }
button { cursor: pointer; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); color: var(--fg); }
button.approve { border-color: var(--ok); } button.reject { border-color: var(--bad); }
.quick a { margin-right: 12px; }
.status { font-weight: 600; } .status-failed { color: var(--bad); } .status-waiting_approval { color: var(--warn); } .status-running { color: var(--link); }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.summary dt { color: var(--muted); }
.meta { color: var(--muted); font-size: 0.9rem; }
.tool { font-family: ui-monospace, monospace; font-weight: 600; }
.columns { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 24px; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
ol.timeline, ol.conversation { list-style: none; padding: 0; margin: 0; }
li.step { border-left: 3px solid var(--line); padding: 6px 10px; margin: 0 0 8px; }
li.step-problem { border-left-color: var(--bad); }
li.step-divider { border-left-color: var(--link); background: var(--soft); }
li.step-model_response { border-left-color: var(--ok); }
.step-head .seq { color: var(--muted); font-variant-numeric: tabular-nums; }
.step-head time { color: var(--muted); font-size: 0.85rem; float: right; }
.outcome { font-weight: 600; } .outcome-ok { color: var(--ok); } .outcome-error, .outcome-rejected, .outcome-unknown { color: var(--bad); }
ul.calls { margin: 4px 0; padding-left: 18px; }
pre { margin: 2px 0 6px; padding: 6px 8px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24rem; overflow: auto; }
.block .label, details.block summary { color: var(--muted); font-size: 0.85rem; }
p.text { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
li.message { margin: 0 0 10px; padding: 6px 10px; border-radius: 8px; background: var(--soft); }
li.message-user { border: 1px solid var(--line); background: var(--bg); }
li.message-live { border: 1px dashed var(--line); }
li.message .who { font-size: 0.8rem; color: var(--muted); }
section.approvals article { border: 2px solid var(--warn); border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
.warning { color: var(--bad); font-weight: 600; }
.form-status { margin-left: 8px; }
.error-page { color: var(--bad); }
`;

/** GET {base}/assets/{name}: public, cacheable for a few minutes. */
export function assetResponse(name: string | undefined): ConsoleResponse {
  const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=300' };
  if (name === 'console.js') {
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' },
      body: CONSOLE_SCRIPT,
    };
  }
  if (name === 'console.css') {
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/css; charset=utf-8' },
      body: CONSOLE_STYLE,
    };
  }
  return {
    status: 404,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    body: 'not found\n',
  };
}
