import { type Head, newHead } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { ConsolePaths } from './layout.js';
import { SessionDigest } from './session-digest.js';
import { sessionPage } from './session-page.js';

function render(status: Head['status']): string {
  const head: Head = { ...newHead('acme', 'chat 1', 'support', 0), status };
  return sessionPage(new ConsolePaths('/console', '/api'), {
    head,
    digest: new SessionDigest({}),
    events: [],
    fromSeq: 1,
  });
}

describe('session page Cancel button', () => {
  it('posts to the API cancel route while a run is on, and is absent otherwise', () => {
    for (const status of ['running', 'waiting_approval'] as const) {
      const page = render(status);
      expect(page).toContain(
        'class="cancel-run" data-cancel-url="/api/sessions/chat%201/cancel" data-tenant="acme"',
      );
    }
    for (const status of ['idle', 'failed'] as const) expect(render(status)).not.toContain('cancel-run');
  });
});
