import { neededProviders } from '@baton/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import minimal from '../../bench/cold-start/minimal-app/baton.config.js';
import { startScriptedOpenAI } from '../../bench/cold-start/scripted-openai.js';
import { REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../../bench/conversation.js';

/**
 * The cold-start comparison's minimal app is the AI SDK handler's counterpart: one agent with the
 * same one tool, a model by name on the OpenAI adapter, nothing else; and the wire fake it answers
 * from gives every process the same tool turn.
 */
describe('the minimal app of the cold-start comparison', () => {
  it('has one agent with one tool, on the OpenAI adapter only, and no channels', () => {
    const { agents, channels } = minimal.config;
    expect(agents).toHaveLength(1);
    expect(agents[0]!.tools.map((tool) => tool.name)).toEqual([TOOL_NAME]);
    expect(channels ?? []).toEqual([]);
    expect(neededProviders(minimal, {})).toEqual(['openai']);
  });
});

describe('the scripted OpenAI wire fake', () => {
  let fake: Awaited<ReturnType<typeof startScriptedOpenAI>>;
  beforeAll(async () => {
    fake = await startScriptedOpenAI();
  });
  afterAll(() => fake.close());

  it('calls the tool after the user speaks and replies after its result, request after request', async () => {
    const client = new OpenAI({ apiKey: 'bench', baseURL: fake.baseURL, maxRetries: 0 });
    for (let round = 0; round < 2; round++) {
      const asked = await client.responses.create({ model: 'gpt-5-mini', input: 'hello' });
      const call = asked.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ name: TOOL_NAME, arguments: TOOL_ARGUMENTS });
      const answered = await client.responses.create({
        model: 'gpt-5-mini',
        input: [
          { role: 'user', content: 'hello' },
          { type: 'function_call_output', call_id: 'call_2', output: 'figures' },
        ],
      });
      expect(answered.output_text).toBe(REPLY_TEXT);
    }
    expect(fake.requests).toHaveLength(4);
  });
});
