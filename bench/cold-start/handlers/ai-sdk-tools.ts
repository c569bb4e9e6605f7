import { tool } from 'ai';
import { z } from 'zod';
import { TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';

/** The one tool every AI SDK handler of the bench offers, as the workload's other frameworks do. */
export const tools = {
  [TOOL_NAME]: tool({
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ region: z.string() }),
    execute: async () => TOOL_RESULT,
  }),
};
