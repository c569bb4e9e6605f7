import {
  type Baton,
  createBaton,
  defineAgent,
  defineTool,
  type Model,
  type RunMessage,
  type RunQueue,
  type SessionStore,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { countingStore, ManualClock, ScriptedModel, type StoreCounts } from '@baton/testing';
import { z } from 'zod';
import {
  callId,
  callsTool,
  INSTRUCTIONS,
  REPLY_TEXT,
  TOOL_ARGUMENTS,
  TOOL_DESCRIPTION,
  TOOL_NAME,
  TOOL_RESULT,
  USER_TEXT,
} from './conversation.js';

export { REPLY_TEXT, USER_TEXT } from './conversation.js';

/**
 * The benchmark conversation (bench/conversation.ts) driven through Baton with a scripted model
 * that answers at once, so only Baton and the store are measured.
 */

export interface TurnFigures {
  turn: number;
  writes: number;
  records: number;
  bytes: number;
  reads: number;
  /** CPU time of the turn in microseconds (the model answers instantly, so this is Baton + store). */
  cpuMicros: number;
}

class NullQueue implements RunQueue {
  async enqueue(_message: RunMessage): Promise<void> {}
}

/**
 * The scripted model of the benchmark. `turnOf` tells it which turn it is answering (a harness
 * reopened on a stored conversation starts counting anew); by default it counts user messages.
 */
export function benchAgentModel(turnOf?: () => number): ScriptedModel {
  let counted = 0;
  return new ScriptedModel((request) => {
    if (request.tools.length === 0) {
      // A compaction request: the summary is about as long as a few turns.
      return {
        text: REPLY_TEXT.repeat(4),
        toolCalls: [],
        usage: { inputTokens: 4000, outputTokens: 300 },
        stopReason: 'end',
      };
    }
    const last = request.messages.at(-1);
    if (last?.role === 'user') {
      counted++;
      const turn = turnOf ? turnOf() : counted;
      if (callsTool(turn)) {
        return {
          text: '',
          toolCalls: [{ callId: callId(turn), name: TOOL_NAME, arguments: TOOL_ARGUMENTS }],
          usage: { inputTokens: 400, outputTokens: 20 },
          stopReason: 'tool_calls',
        };
      }
    }
    return {
      text: REPLY_TEXT,
      toolCalls: [],
      usage: { inputTokens: 400, outputTokens: 80 },
      stopReason: 'end',
    };
  });
}

export function benchBaton(
  store: SessionStore,
  options: { compactAfterEvents?: number; model?: Model; queue?: RunQueue } = {},
): {
  baton: Baton;
  counts: StoreCounts;
  reset: () => StoreCounts;
} {
  const counted = countingStore(store);
  const agent = defineAgent({
    name: 'bench',
    instructions: INSTRUCTIONS,
    model: options.model ?? benchAgentModel(),
    tools: [
      defineTool({
        name: TOOL_NAME,
        description: TOOL_DESCRIPTION,
        parameters: z.object({ region: z.string() }),
        execute: () => TOOL_RESULT,
      }),
    ],
    limits: {
      maxSteps: 10,
      ...(options.compactAfterEvents === undefined ? {} : { compactAfterEvents: options.compactAfterEvents }),
    },
  });
  const baton = createBaton({
    store: counted.store,
    agents: [agent],
    queue: options.queue ?? new NullQueue(),
    clock: new ManualClock(),
    logger: silentLogger,
  });
  return { baton, counts: counted.counts, reset: counted.reset };
}

/**
 * One turn as an HTTP invocation runs it: record the message (taking the lease in the same commit)
 * and run the session to the end in the same invocation. The answer is not read back.
 */
export async function batonTurn(baton: Baton, sessionId: string): Promise<void> {
  const ref = sessionRef('bench', sessionId);
  const { outcome } = await baton.submitAndRun(
    ref,
    { text: USER_TEXT, source: 'bench' },
    { deadline: baton.clock.now() + 15 * 60_000 },
  );
  if (outcome?.kind !== 'finished') throw new Error(`the turn ended ${outcome?.kind ?? 'as a duplicate'}`);
}

/** Runs `turns` turns on one session and returns the figures of each turn. */
export async function runConversation(
  store: SessionStore,
  turns: number,
  options: { sessionId?: string; compactAfterEvents?: number; onTurn?: (figures: TurnFigures) => void } = {},
): Promise<TurnFigures[]> {
  const { baton, reset } = benchBaton(
    store,
    options.compactAfterEvents === undefined ? {} : { compactAfterEvents: options.compactAfterEvents },
  );
  const sessionId = options.sessionId ?? `conversation-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const figures: TurnFigures[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    reset();
    const cpu = process.cpuUsage();
    await batonTurn(baton, sessionId);
    const used = process.cpuUsage(cpu);
    const counts = reset();
    const entry = { turn, ...counts, cpuMicros: used.user + used.system };
    figures.push(entry);
    options.onTurn?.(entry);
  }
  return figures;
}
