import type { SessionEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { timelineItem } from './timeline-html.js';

const AT = Date.UTC(2026, 11, 6, 9);

describe('timelineItem for structured results', () => {
  it('shows the validated output of a run with an output schema, and the mismatch fed back before it', () => {
    const mismatch = {
      kind: 'error',
      code: 'output_invalid',
      message: 'the answer does not match the schema "invoice": total: expected number',
      retryable: false,
    };
    const finished = { kind: 'run_finished', reason: 'completed', text: '{"total":3}', output: { total: 3 } };
    const [error, done] = [mismatch, finished].map((body, index) =>
      String(timelineItem({ ...body, v: 3, seq: index + 3, at: AT } as SessionEvent, new Map())),
    );
    expect(error).toContain('output_invalid');
    expect(error).toContain('total: expected number');
    expect(done).toContain('output');
    expect(done).toContain('&quot;total&quot;: 3');
  });
});
