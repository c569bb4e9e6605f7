import { ManualClock, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { z } from 'zod';
import { defineAgent } from '../agent.js';
import { type Baton, createBaton } from '../baton.js';
import type { EventOf, SessionEvent } from '../events.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import type { RunMessage, RunQueue } from '../queue.js';
import { type SessionRef, sessionRef } from '../session-ref.js';
import type { CommitRequest, SessionStore } from '../store.js';
import { defineTool } from '../tool.js';
import { agentTool } from './agent-tool.js';

/** Thrown by an armed commit: the invocation dies there, as a host would. */
export class Crash extends Error {}

/** A queue drained by hand: a message whose delivery crashed comes back, like an undeleted one. */
class HandQueue implements RunQueue {
  readonly pending: RunMessage[] = [];
  enqueued = 0;
  async enqueue(message: RunMessage): Promise<void> {
    this.enqueued++;
    this.pending.push(message);
  }
}

/**
 * A writer agent that delegates to a researcher agent (whose `publish` tool waits for approval),
 * on the memory store, with every commit counted and one of them armed to crash before or after
 * it lands. Test support for delegation.test.ts (named test-* so the package build leaves it out).
 */
export function delegationWorld(options: {
  writer: ScriptedStep[];
  researcher: ScriptedStep[];
  selfDelegate?: boolean;
}) {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const queue = new HandQueue();
  const commits: CommitRequest[] = [];
  let armed: { at: number; when: 'before' | 'after' } | undefined;
  let crashed = 0;
  const store: SessionStore = new Proxy(memory, {
    get(target, property) {
      if (property === 'commit')
        return async (request: CommitRequest) => {
          const at = commits.length + 1;
          if (armed?.at === at && armed.when === 'before') {
            armed = undefined;
            crashed++;
            throw new Crash(`before commit ${at}`);
          }
          await target.commit(request);
          commits.push(request);
          if (armed?.at === at && armed.when === 'after') {
            armed = undefined;
            crashed++;
            throw new Crash(`after commit ${at}`);
          }
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  let published = 0;
  const publish = defineTool({
    name: 'publish',
    description: 'publish the findings',
    parameters: z.object({ title: z.string() }),
    needsApproval: true,
    execution: 'at-most-once',
    execute: ({ title }) => {
      published++;
      return { published: title };
    },
  });
  const writerModel = new ScriptedModel(options.writer);
  const researcherModel = new ScriptedModel(options.researcher);
  const researcher = defineAgent({
    name: 'researcher',
    instructions: 'Find facts.',
    model: researcherModel,
    tools: [
      publish,
      ...(options.selfDelegate ? [agentTool('researcher', { description: 'ask again' })] : []),
    ],
  });
  const writer = defineAgent({
    name: 'writer',
    instructions: 'Ask the researcher, then write.',
    model: writerModel,
    tools: [agentTool('researcher', { description: 'Finds facts about a topic.' })],
  });
  const baton: Baton = createBaton({
    store,
    queue,
    clock,
    logger: silentLogger,
    agents: [writer, researcher],
  });
  const ref = sessionRef('acme', 'chat-1');
  return {
    baton,
    store,
    memory,
    queue,
    clock,
    ref,
    commits,
    writerModel,
    researcherModel,
    get published() {
      return published;
    },
    get crashed() {
      return crashed;
    },
    arm(at: number, when: 'before' | 'after') {
      armed = { at, when };
    },
    /** Delivers queued messages until none is left; a crashed delivery comes back after the lease. */
    async drain(limit = 100): Promise<number> {
      let deliveries = 0;
      while (queue.pending.length > 0) {
        if (++deliveries > limit) throw new Error('the queue never drained');
        const message = queue.pending.shift()!;
        try {
          const handled = await baton.handle(message, { deadline: clock.now() + 120_000 });
          if (handled.kind === 'retry_later') {
            clock.advance(handled.delayMs);
            queue.pending.push(message);
          }
        } catch (error) {
          if (!(error instanceof Crash)) throw error;
          clock.advance(20_000);
          queue.pending.push(message);
        }
      }
      return deliveries;
    },
    async events(id: SessionRef = ref): Promise<SessionEvent[]> {
      return memory.readEvents(id);
    },
  };
}

export function toolResults(events: SessionEvent[]): EventOf<'tool_result'>[] {
  return events.filter((event): event is EventOf<'tool_result'> => event.kind === 'tool_result');
}
