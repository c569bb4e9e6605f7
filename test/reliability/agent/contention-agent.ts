import {
  type Agent,
  defineAgent,
  defineTool,
  type ModelRequest,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import { z } from 'zod';
import {
  callTools,
  reply,
  ScriptedModel,
  type ScriptedResponse,
} from '../../../packages/testing/src/scripted-model.js';

/**
 * The agent of the contention scenario: for the inputs it has not answered yet it calls
 * `record_inputs` (idempotent, writes the tool state), then acknowledges them. The tool state ends
 * as the list of every input processed, so "each input exactly once" is one comparison.
 */
export function contentionAgent(options: { leaseMs: number; model: ScriptedModel }): Agent {
  return defineAgent({
    name: 'contention',
    instructions: 'Record every message you get.',
    model: options.model,
    tools: [
      defineTool({
        name: 'record_inputs',
        description: 'Records messages as processed',
        parameters: z.object({ texts: z.array(z.string()) }),
        execute: ({ texts }, { state }) => {
          state.set('processed', [...(state.get<string[]>('processed') ?? []), ...texts]);
          return { recorded: texts.length };
        },
      }),
    ],
    limits: { maxSteps: 500, compactAfterEvents: 0 },
    // A stalled call blocks its whole process (see stallingModel), heartbeat included, so it
    // outlives its lease and another process takes the session over.
    timing: { leaseMs: options.leaseMs, modelCallMs: 100 },
  });
}

/** The scripted answer: record what is new since the last assistant turn, then acknowledge. */
export function contentionTurn(request: ModelRequest): ScriptedResponse {
  const lastAssistant = request.messages.findLastIndex((message) => message.role === 'assistant');
  const fresh = request.messages
    .slice(lastAssistant + 1)
    .flatMap((message) => (message.role === 'user' ? [message.content] : []));
  if (fresh.length === 0) return reply('ack');
  return callTools([{ name: 'record_inputs', args: { texts: fresh }, callId: `rec-${fresh[0]}` }]);
}

/**
 * A model that, on chosen calls, stalls until another process has taken the lease over (or a
 * bound passes): a holder paused mid-call, like a long GC pause or a frozen process. The pause
 * blocks the event loop, so the lease's heartbeat cannot renew it meanwhile (a merely slow
 * provider keeps its lease); its renewal after the pause must be fenced.
 */
export function stallingModel(options: {
  store: SessionStore;
  ref: SessionRef;
  stallOn: (call: number) => boolean;
  maxStallMs: number;
  /** Each pause of the whole process, between looks at the store (longer than a lease). */
  pauseMs: number;
  onStall: (tookOver: boolean) => void;
}): ScriptedModel {
  let calls = 0;
  return new ScriptedModel(async (request) => {
    calls++;
    if (options.stallOn(calls)) {
      const before = (await options.store.readHead(options.ref))?.leaseEpoch ?? 0;
      const until = Date.now() + options.maxStallMs;
      let tookOver = false;
      while (Date.now() < until && !tookOver) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, options.pauseMs);
        tookOver = ((await options.store.readHead(options.ref))?.leaseEpoch ?? 0) > before;
      }
      options.onStall(tookOver);
    }
    return contentionTurn(request);
  });
}
