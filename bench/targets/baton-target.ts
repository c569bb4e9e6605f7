import type { Model, SessionStore } from '@baton/core';
import { ModelClock } from '../conversation.js';
import { countingQueue } from '../cost/counting-queue.js';
import { type RequestUnits, subtractUnits } from '../cost/units.js';
import type { BenchTarget, Harness, Location, TurnSample } from '../harness.js';
import { batonTurn, benchAgentModel, benchBaton } from '../workload.js';

/** A store under test and what it says it wrote, for the physical columns. */
export interface StoreUnderTest {
  store: SessionStore;
  physical(): { bytes: number; roundTrips?: number; units?: Partial<RequestUnits> };
  close(): Promise<void>;
}

/** Baton on one store: each harness is a fresh Baton and a fresh store client, as a new invocation has. */
export function batonTarget(
  id: string,
  label: string,
  openStore: (location: Location) => StoreUnderTest,
  extra: Pick<BenchTarget, 'needs' | 'prepare'> = {},
): BenchTarget {
  return {
    id,
    label,
    ...extra,
    async open(location: Location): Promise<Harness> {
      const opened = openStore(location);
      let current = 0;
      let firstCall = true;
      let userMessagesSeen = 0;
      const scripted = benchAgentModel(() => current);
      const clock = new ModelClock();
      const model: Model = {
        provider: scripted.provider,
        modelId: scripted.modelId,
        generate: (request) => {
          if (firstCall && request.tools.length > 0) {
            firstCall = false;
            userMessagesSeen = request.messages.filter((message) => message.role === 'user').length;
          }
          return clock.time(() => scripted.generate(request));
        },
      };
      const queue = countingQueue();
      const { baton, reset } = benchBaton(opened.store, { model, queue });
      return {
        async turn(turn: number): Promise<TurnSample> {
          current = turn;
          firstCall = true;
          reset();
          const physical = opened.physical();
          const units = { ...physical.units, ...queue.read() };
          const start = performance.now();
          await batonTurn(baton, location.sessionId);
          const frameworkMs = performance.now() - start - clock.take();
          const counts = reset();
          const after = opened.physical();
          const unitsAfter = { ...after.units, ...queue.read() };
          // The scripted model keeps every request; the benchmark has no use for them.
          scripted.calls.length = 0;
          return {
            turn,
            bytes: counts.bytes,
            physicalBytes: after.bytes - physical.bytes,
            writes: counts.writes,
            reads: counts.reads,
            ...(after.roundTrips === undefined
              ? {}
              : { roundTrips: after.roundTrips - (physical.roundTrips ?? 0) }),
            units: subtractUnits(unitsAfter, units),
            frameworkMs,
            userMessagesSeen,
          };
        },
        close: () => opened.close(),
      };
    },
  };
}
