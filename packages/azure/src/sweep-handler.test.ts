import {
  createBatonApp,
  defineBaton,
  MemoryStore,
  type RunMessage,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { ManualClock, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { createSweepHandler } from './sweep-handler.js';
import { invocationContext } from './test-fixtures.js';

const timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: {
    last: '2026-01-01T00:00:00Z',
    next: '2026-01-01T00:01:00Z',
    lastUpdated: '2026-01-01T00:00:00Z',
  },
};

describe('createSweepHandler', () => {
  it('re-enqueues a run when a session has pending work and no one is running it', async () => {
    const clock = new ManualClock();
    const sent: RunMessage[] = [];
    const app = createBatonApp(defineBaton({ agents: [createExampleAgent(new ScriptedModel([]))] }), {
      store: new MemoryStore(),
      queue: { enqueue: async (message) => void sent.push(message) },
      clock,
      logger: silentLogger,
      env: {},
    });
    await app.baton.submit(sessionRef('acme', 'stranded'), { text: 'hi', source: 'test' });
    clock.advance(120_000);
    await createSweepHandler(app)(timer, invocationContext());
    expect(sent.map((message) => message.reason)).toEqual(['input', 'retry']);
  });
});
