import {
  createBaton,
  defineAgent,
  defineTool,
  MemoryStore,
  type RunQueue,
  silentLogger,
  type ToolExecution,
} from '@baton/core';
import { countingStore, ManualClock } from '@baton/testing';
import { z } from 'zod';
import { callsTool, INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../conversation.js';
import { batonTurn, benchAgentModel } from '../workload.js';

/**
 * Store writes per turn of the benchmark conversation with the tool declared `execution`, counted at
 * the store interface (the same count on every store) on the memory store, in this process: the
 * turn tables show the idempotent tool on each store; this adds the at-most-once tool, whose intent
 * rides with the model response that makes the call and whose result is its own write.
 *
 * @example
 * const { plain, tool } = await writesPerTurn('at-most-once', 6);
 */
export async function writesPerTurn(
  execution: ToolExecution,
  turns = 6,
): Promise<{ plain: number[]; tool: number[] }> {
  const counted = countingStore(new MemoryStore());
  const queue: RunQueue = { enqueue: async () => {} };
  const baton = createBaton({
    store: counted.store,
    agents: [
      defineAgent({
        name: 'bench',
        instructions: INSTRUCTIONS,
        model: benchAgentModel(),
        tools: [
          defineTool({
            name: TOOL_NAME,
            description: TOOL_DESCRIPTION,
            parameters: z.object({ region: z.string() }),
            execution,
            execute: () => TOOL_RESULT,
          }),
        ],
        limits: { maxSteps: 10 },
      }),
    ],
    queue,
    clock: new ManualClock(),
    logger: silentLogger,
  });
  const plain: number[] = [];
  const tool: number[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    counted.reset();
    await batonTurn(baton, 'write-counts');
    const { writes } = counted.reset();
    // Turn 1 creates the session.
    if (turn === 1) continue;
    (callsTool(turn) ? tool : plain).push(writes);
  }
  return { plain, tool };
}
