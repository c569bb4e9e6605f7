import { countingStore, ManualClock, ScriptedModel, type ScriptedResponse } from '@baton/testing';
import { z } from 'zod';
import { defineAgent } from '../src/agent.js';
import type { Identity } from '../src/auth/identity.js';
import { createBaton } from '../src/baton.js';
import { silentLogger } from '../src/logger.js';
import { MemoryStore } from '../src/memory-store.js';
import type { ModelRequest } from '../src/model.js';
import { sessionRef } from '../src/session-ref.js';
import { defineTool } from '../src/tool.js';
import { ArrayQueue } from './kit.js';

/** A manual clock whose `sleep` waits for `tick` (heartbeats and cancel reads wait through it). */
export class TickClock extends ManualClock {
  private sleepers: { at: number; wake: () => void }[] = [];

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.now() + Math.max(0, ms), wake }));
  }

  async tick(ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((sleeper) => sleeper.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((sleeper) => sleeper !== due);
      if (due.at > this.now()) this.set(due.at);
      due.wake();
    }
    this.set(until);
    await settle();
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets the event loop turn until `done` holds (no timers: fails after a bounded number of turns). */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await settle();
  if (!done()) throw new Error('the condition never held');
}

/**
 * Waits for `running` while moving the clock in small steps: a commit that meets a conflict (the
 * cancel moved the head) backs off through the clock's sleep before it lands on the new head.
 */
export async function ticking<T>(clock: TickClock, running: Promise<T>): Promise<T> {
  let settled = false;
  const done = running.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 100 && !settled; i++) await clock.tick(50);
  return done;
}

/** One model call: its request, whether its signal aborted, and a way to answer it. */
export interface ModelCall {
  request: ModelRequest;
  aborted: boolean;
  answer: () => void;
}

export const canceller: Identity = { tenant: 'acme', user: 'key:ops', scopes: ['send'], via: 'api_key' };

/**
 * A session whose model answers `responses` in turn; calls listed in `hang` wait until answered or
 * aborted. Tool `charge` (at-most-once) waits until its signal aborts; `send` needs approval.
 * `other` is a second Baton over the same store: another invocation, which no in-process cancel reaches.
 */
export function cancelKit(
  responses: ScriptedResponse[],
  options: { hang?: number[]; cancelCheckMs?: number } = {},
) {
  const clock = new TickClock();
  const counting = countingStore(new MemoryStore());
  const queue = new ArrayQueue();
  const calls: ModelCall[] = [];
  const tools = { charged: 0, chargeAborted: 0, sent: 0 };
  const model = new ScriptedModel(
    (request, index) =>
      new Promise((resolve, reject) => {
        const call: ModelCall = { request, aborted: false, answer: () => resolve(responses[index]!) };
        request.signal?.addEventListener(
          'abort',
          () => {
            call.aborted = true;
            reject(request.signal?.reason);
          },
          { once: true },
        );
        calls.push(call);
        if (!options.hang?.includes(index)) call.answer();
      }),
  );
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test agent',
    model,
    tools: [
      defineTool({
        name: 'charge',
        description: 'charge a card once',
        parameters: z.object({}),
        execution: 'at-most-once',
        execute: (_args, { signal }) =>
          new Promise((_resolve, reject) => {
            tools.charged++;
            signal.addEventListener('abort', () => {
              tools.chargeAborted++;
              reject(signal.reason);
            });
          }),
      }),
      defineTool({
        name: 'send',
        description: 'send after approval',
        parameters: z.object({}),
        needsApproval: true,
        execution: 'at-most-once',
        execute: () => {
          tools.sent++;
          return { sent: true };
        },
      }),
    ],
    limits: { maxSteps: 10, compactAfterEvents: 0 },
    timing: { modelCallMs: 10_000, leaseMs: 15_000, cancelCheckMs: options.cancelCheckMs ?? 1_000 },
  });
  const make = () =>
    createBaton({ store: counting.store, agents: [agent], queue, clock, logger: silentLogger });
  return {
    baton: make(),
    other: make(),
    store: counting.store,
    counts: counting.counts,
    reset: counting.reset,
    queue,
    clock,
    calls,
    tools,
    ref: sessionRef('acme', 'session-1'),
    later: () => clock.now() + 600_000,
  };
}
