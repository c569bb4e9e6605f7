import { createBaton, MemoryStore, type SessionEvent, silentLogger } from '@baton/core';
import { ManualClock } from '../../../packages/testing/src/manual-clock.js';
import { ExecutionCounter, reliabilityAgent } from '../agent/reliability-agent.js';
import { driveToEnd } from '../agent/session-driver.js';

/** The 20-step run without faults, in memory: the log every faulty run is compared with. */
export async function referenceRun(): Promise<SessionEvent[]> {
  const store = new MemoryStore();
  const baton = createBaton({
    store,
    agents: [reliabilityAgent({ recorder: new ExecutionCounter() })],
    queue: { enqueue: async () => {} },
    clock: new ManualClock(),
    logger: silentLogger,
  });
  const ref = { tenant: 'reference', sessionId: 'reference' };
  await driveToEnd(baton, ref);
  return store.readEvents(ref);
}
