import {
  type Baton,
  createBaton,
  defineAgent,
  defineTool,
  type RunMessage,
  type RunQueue,
  type SessionStore,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { countingStore, ManualClock, ScriptedModel, type StoreCounts } from '@baton/testing';
import { z } from 'zod';

/**
 * The benchmark conversation (issue: benchmarks): each turn a user message of about 200 characters
 * and a reply of about 300; every second turn the model first calls a tool whose result is about
 * 120 characters. The model is scripted and answers at once, so only Baton and the store are measured.
 */
export const USER_TEXT =
  'Please look at the latest figures for the northern region and tell me whether the trend that we discussed earlier still holds, and what the main drivers are this week. Keep it short please ok.';
export const REPLY_TEXT =
  `${'The northern region is still trending up: volumes rose four percent week on week, driven mostly by the two new distribution partners and by lower returns. '.repeat(2)}`.slice(
    0,
    300,
  );
const TOOL_RESULT =
  'region=north; week=48; volume=+4.1%; returns=-0.8%; partners=2 new; confidence=high; source=warehouse-daily-rollup-v3';

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

export function benchAgentModel(): ScriptedModel {
  let pendingTool = false;
  let turn = 0;
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
      turn++;
      if (turn % 2 === 0) {
        pendingTool = true;
        return {
          text: '',
          toolCalls: [{ callId: `call_${turn}`, name: 'figures', arguments: '{"region":"north"}' }],
          usage: { inputTokens: 400, outputTokens: 20 },
          stopReason: 'tool_calls',
        };
      }
    }
    pendingTool = false;
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
  options: { compactAfterEvents?: number } = {},
): {
  baton: Baton;
  counts: StoreCounts;
  reset: () => StoreCounts;
} {
  const counted = countingStore(store);
  const agent = defineAgent({
    name: 'bench',
    instructions: 'You answer questions about regional figures.',
    model: benchAgentModel(),
    tools: [
      defineTool({
        name: 'figures',
        description: 'Weekly figures of a region',
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
    queue: new NullQueue(),
    clock: new ManualClock(),
    logger: silentLogger,
  });
  return { baton, counts: counted.counts, reset: counted.reset };
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
  const ref = sessionRef(
    'bench',
    options.sessionId ?? `conversation-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  const figures: TurnFigures[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    reset();
    const cpu = process.cpuUsage();
    await baton.submit(ref, { text: USER_TEXT, source: 'bench' });
    const outcome = await baton.run(ref, { deadline: baton.clock.now() + 15 * 60_000, owner: 'bench' });
    const used = process.cpuUsage(cpu);
    if (outcome.kind !== 'finished') throw new Error(`turn ${turn} ended ${outcome.kind}`);
    const counts = reset();
    const entry = { turn, ...counts, cpuMicros: used.user + used.system };
    figures.push(entry);
    options.onTurn?.(entry);
  }
  return figures;
}
