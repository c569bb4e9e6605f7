import { type SessionEvent, StoreUnavailableError } from '@baton/core';
import { parseEvents } from '@baton/core/store';
import type { ChunkDocument, EventsDocument } from './documents.js';

/** Tokens of the chunked bundles among `bundles`, to fetch their chunks in one query. */
export function chunkTokens(bundles: readonly EventsDocument[]): string[] {
  return bundles.flatMap((bundle) => (bundle.parts ? [bundle.parts.token] : []));
}

/**
 * The events of `bundles` in seq order, chunked ones reassembled from `chunks`. Chunks of other
 * tokens (left by commits that failed) are ignored. Every bundle passes through core's parseEvents:
 * a bundle is one commit, so a run_finished stored without its text has its model response in it.
 */
export function expandBundles(
  bundles: readonly EventsDocument[],
  chunks: readonly ChunkDocument[],
): SessionEvent[] {
  const byToken = new Map<string, ChunkDocument[]>();
  for (const chunk of chunks) {
    const list = byToken.get(chunk.token) ?? [];
    list.push(chunk);
    byToken.set(chunk.token, list);
  }
  const events: SessionEvent[] = [];
  for (const bundle of [...bundles].sort((a, b) => a.seq - b.seq)) {
    const raw = bundle.parts
      ? reassemble(bundle, byToken.get(bundle.parts.token) ?? [])
      : (bundle.events ?? []);
    events.push(...parseEvents(raw));
  }
  return events;
}

function reassemble(bundle: EventsDocument, chunks: ChunkDocument[]): unknown[] {
  const parts = bundle.parts!;
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const complete = ordered.length === parts.count && ordered.every((chunk, index) => chunk.index === index);
  const payload = Buffer.concat(ordered.map((chunk) => Buffer.from(chunk.data, 'base64')));
  // A committed bundle's chunks were all written before it; a gap means they expired or are being
  // deleted, never that a partial record should be returned.
  if (!complete || payload.length !== parts.bytes) {
    throw new StoreUnavailableError(
      `events ${bundle.seq}..${bundle.last}: found ${ordered.length} of ${parts.count} chunks (${payload.length} of ${parts.bytes} bytes)`,
    );
  }
  return JSON.parse(payload.toString('utf8')) as unknown[];
}
