import type { SessionRef } from '@baton/core';
import { html, type SafeHtml } from './html.js';

/**
 * Every page links only its own script and stylesheet: with this policy an injected <script> or
 * inline handler would not run even if escaping were ever missed.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * URLs of the console's pages under its mount point; every dynamic part is percent-encoded.
 * `base` is the path the console sees; `prefix` is what a host strips before (Azure's `/api`),
 * which the browser's links must keep.
 */
export class ConsolePaths {
  readonly #href: string;

  constructor(
    readonly base: string,
    readonly apiBase: string,
    prefix = '',
  ) {
    this.#href = prefix + base;
  }

  list(query: Record<string, string | undefined> = {}): string {
    return this.#href + queryString(query);
  }

  session(ref: SessionRef, query: Record<string, string | undefined> = {}): string {
    return `${this.#href}/sessions/${encodeURIComponent(ref.sessionId)}${queryString({ tenant: ref.tenant, ...query })}`;
  }

  stream(ref: SessionRef, afterSeq: number): string {
    return `${this.#href}/sessions/${encodeURIComponent(ref.sessionId)}/stream${queryString({ tenant: ref.tenant, after: String(afterSeq) })}`;
  }

  cost(tenant: string): string {
    return `${this.#href}/cost${queryString({ tenant })}`;
  }

  asset(name: 'console.js' | 'console.css'): string {
    return `${this.#href}/assets/${name}`;
  }

  login(): string {
    return `${this.#href}/login`;
  }

  /** The HTTP API's cancel route, which the Cancel button posts to. */
  cancel(ref: SessionRef): string {
    return `${this.apiBase}/sessions/${encodeURIComponent(ref.sessionId)}/cancel`;
  }

  /** The HTTP API's approval route, which the Approve / Reject buttons post to. */
  approval(ref: SessionRef, callId: string): string {
    return `${this.apiBase}/sessions/${encodeURIComponent(ref.sessionId)}/approvals/${encodeURIComponent(callId)}`;
  }
}

function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function page(
  paths: ConsolePaths,
  title: string,
  body: SafeHtml,
  options: { tenant?: string } = {},
): string {
  const costLink = paths.cost(options.tenant ?? 'default');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Baton console</title>
<link rel="stylesheet" href="${paths.asset('console.css')}">
<script src="${paths.asset('console.js')}" defer></script>
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top"><span class="brand">Baton console</span>
<nav aria-label="Console"><a href="${paths.list()}">Sessions</a><a href="${costLink}">Cost</a></nav></header>
<main id="content">
${body}
</main>
</body>
</html>
`.value;
}
