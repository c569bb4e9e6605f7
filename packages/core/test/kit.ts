import { ManualClock, ScriptedModel, type ScriptedStep, type ScriptFunction } from '@baton/testing';
import { z } from 'zod';
import { type Agent, defineAgent } from '../src/agent.js';
import { type Baton, createBaton } from '../src/baton.js';
import { silentLogger } from '../src/logger.js';
import { MemoryStore } from '../src/memory-store.js';
import type { RunMessage, RunQueue } from '../src/queue.js';
import { type SessionRef, sessionRef } from '../src/session-ref.js';
import { defineTool, type Tool } from '../src/tool.js';

/** A queue that keeps what was enqueued, for tests that drain it by hand. */
export class ArrayQueue implements RunQueue {
  readonly messages: { message: RunMessage; delayMs: number }[] = [];
  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    this.messages.push({ message, delayMs: options.delayMs ?? 0 });
  }
}

/** Counts executions outside the session, the way an external system would see them. */
export class Counter {
  readonly counts = new Map<string, number>();
  hit(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  of(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

export function testTools(counter: Counter): Tool[] {
  return [
    defineTool({
      name: 'add_note',
      description: 'save a note',
      parameters: z.object({ text: z.string() }),
      execute: ({ text }, { state }) => {
        counter.hit('add_note');
        const notes = state.get<string[]>('notes') ?? [];
        state.set('notes', [...notes, text]);
        return { count: notes.length + 1 };
      },
    }),
    defineTool({
      name: 'lookup',
      description: 'look something up',
      parameters: z.object({ id: z.number().int() }),
      timeoutMs: 1_000,
      execute: ({ id }) => {
        counter.hit('lookup');
        return { id, found: true };
      },
    }),
    defineTool({
      name: 'explode',
      description: 'always fails',
      parameters: z.object({}),
      execute: () => {
        counter.hit('explode');
        throw new Error('the service is down');
      },
    }),
    defineTool({
      name: 'send_email',
      description: 'send an email after approval',
      parameters: z.object({ to: z.string() }),
      needsApproval: true,
      execution: 'at-most-once',
      execute: ({ to }) => {
        counter.hit('send_email');
        return { sent: to };
      },
    }),
    defineTool({
      name: 'charge_card',
      description: 'charge a card exactly once',
      parameters: z.object({ cents: z.number() }),
      execution: 'at-most-once',
      execute: ({ cents }) => {
        counter.hit('charge_card');
        return { charged: cents };
      },
    }),
  ];
}

export interface Kit {
  baton: Baton;
  store: MemoryStore;
  queue: ArrayQueue;
  clock: ManualClock;
  model: ScriptedModel;
  agent: Agent;
  counter: Counter;
  ref: SessionRef;
  /** A deadline far enough away for any step. */
  later: () => number;
}

export function kit(
  script: readonly ScriptedStep[] | ScriptFunction,
  options: {
    maxSteps?: number;
    unknownOutcome?: 'error' | 'approval';
    compactAfterEvents?: number;
    modelCallMs?: number;
    inputs?: 'batch' | 'one_at_a_time';
  } = {},
): Kit {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const queue = new ArrayQueue();
  const model = new ScriptedModel(script);
  const counter = new Counter();
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test agent',
    model,
    tools: testTools(counter),
    limits: { maxSteps: options.maxSteps ?? 10, compactAfterEvents: options.compactAfterEvents ?? 0 },
    timing: { modelCallMs: options.modelCallMs ?? 10_000, leaseMs: 30_000 },
    policies: { unknownOutcome: options.unknownOutcome ?? 'error', inputs: options.inputs ?? 'batch' },
  });
  const baton = createBaton({ store, agents: [agent], queue, clock, logger: silentLogger });
  return {
    baton,
    store,
    queue,
    clock,
    model,
    agent,
    counter,
    ref: sessionRef('acme', 'session-1'),
    later: () => clock.now() + 600_000,
  };
}

export function kinds(events: { kind: string }[]): string[] {
  return events.map((event) => event.kind);
}
