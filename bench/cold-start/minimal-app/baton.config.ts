/**
 * The smallest Baton project a user would deploy, for the cold-start comparison with the AI SDK's
 * minimal handler (bench/cold-start/handlers/ai-sdk.ts): one agent, the same one tool, a model by
 * name (the OpenAI adapter; the bench points OPENAI_BASE_URL at a local wire fake that answers
 * with the benchmark's script), API keys for auth, and nothing else: no Slack, no console
 * extras, no webhooks. Built with the real `baton build aws` / `baton build azure`
 * (bench/cold-start/minimal-bundles.ts), which add the DynamoDB (Cosmos) store and the queue.
 *
 * @example
 * node packages/dev/bin/baton.mjs build aws --config bench/cold-start/minimal-app/baton.config.ts --out bench/results/cold/minimal-aws
 */
import { apiKeys, defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';
import { INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, TOOL_RESULT } from '../../conversation.js';

export const figures = defineTool({
  name: TOOL_NAME,
  description: TOOL_DESCRIPTION,
  parameters: z.object({ region: z.string() }),
  execute: () => TOOL_RESULT,
});

export const bench = defineAgent({
  name: 'bench',
  instructions: INSTRUCTIONS,
  model: 'openai:gpt-5-mini',
  tools: [figures],
});

export default defineBaton({ agents: [bench], auth: apiKeys() });
