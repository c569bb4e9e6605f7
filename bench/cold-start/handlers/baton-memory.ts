import { createBaton, defineAgent, defineTool, handleHttp, MemoryStore, silentLogger } from '@baton/core';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';
import { bundledBatonModel } from '../../fakes/baton-model.js';
import type { MinimalHttpEvent, MinimalHttpResult } from './http-event.js';

/**
 * Baton core on its in-memory store, with the same one-tool agent as the peers' handlers: what
 * the framework itself costs to load, apart from the AWS SDK and the network round trips that the
 * deployable handler adds.
 */
const baton = createBaton({
  store: new MemoryStore(),
  agents: [
    defineAgent({
      name: 'bench',
      instructions: INSTRUCTIONS,
      model: bundledBatonModel(() => 2),
      tools: [
        defineTool({
          name: TOOL_NAME,
          description: TOOL_DESCRIPTION,
          parameters: z.object({ region: z.string() }),
          execute: () => TOOL_RESULT,
        }),
      ],
    }),
  ],
  queue: { enqueue: async () => {} },
  logger: silentLogger,
});

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const response = await handleHttp(
    baton,
    {
      method: 'POST',
      path: event.rawPath,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: event.body,
    },
    { deadline: Date.now() + 5 * 60_000 },
  );
  return { statusCode: response.status, headers: response.headers, body: JSON.stringify(response.body) };
}
