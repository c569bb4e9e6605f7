import type { ModelRequest, ModelStreamEvent } from '@baton/core';
import {
  type BedrockAgentFake,
  type BedrockConverseFake,
  startBedrockAgentFake,
  startBedrockConverseFake,
} from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { bedrockConverseModel } from './converse-model.js';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const credentials = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' };
let converseFake: BedrockConverseFake | undefined;
let agentFake: BedrockAgentFake | undefined;
afterEach(async () => {
  await converseFake?.close();
  await agentFake?.close();
  converseFake = undefined;
  agentFake = undefined;
});

const weather = {
  type: 'object',
  properties: { city: { type: 'string' }, tempC: { type: 'number' } },
  required: ['city', 'tempC'],
  additionalProperties: false,
};
const lookup = { name: 'lookup', description: 'Weather for a city', parameters: { type: 'object' } };

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'You report the weather for the city the user names.',
    messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    tools: [lookup],
    sessionKey: 'tenant/session-1',
    output: { name: 'weather', schema: weather },
    ...overrides,
  };
}

async function converse() {
  converseFake = await startBedrockConverseFake();
  return bedrockConverseModel({
    modelId: MODEL_ID,
    clientConfig: { endpoint: converseFake.url, region: 'us-east-1', credentials, maxAttempts: 1 },
  });
}

describe('structured output on Bedrock Converse (tool forcing)', () => {
  it('offers the schema as an answer tool, requires a tool call, and returns its input as the JSON answer', async () => {
    const model = await converse();
    converseFake!.enqueue({
      toolUses: [{ toolUseId: 'tooluse_a', name: 'final_answer', input: { city: 'Oslo', tempC: 4 } }],
    });

    const response = await model.generate(ask());

    expect(response).toMatchObject({ text: '{"city":"Oslo","tempC":4}', toolCalls: [], stopReason: 'end' });
    expect(converseFake!.requests[0]!.body).toMatchObject({
      toolConfig: {
        tools: [
          { toolSpec: { name: 'lookup' } },
          { toolSpec: { name: 'final_answer', inputSchema: { json: weather } } },
        ],
        toolChoice: { any: {} },
      },
    });
  });

  it('keeps a real tool call and drops an answer given beside it', async () => {
    const model = await converse();
    converseFake!.enqueue({
      toolUses: [
        { toolUseId: 'tooluse_1', name: 'lookup', input: { city: 'Oslo' } },
        { toolUseId: 'tooluse_2', name: 'final_answer', input: { city: 'Oslo', tempC: 0 } },
      ],
    });

    const response = await model.generate(ask());

    expect(response.toolCalls).toEqual([
      { callId: 'tooluse_1', name: 'lookup', arguments: '{"city":"Oslo"}' },
    ]);
    expect(response.stopReason).toBe('tool_calls');
  });

  it('streams the answer tool input as text deltas over ConverseStream', async () => {
    const model = await converse();
    converseFake!.enqueue({
      toolUses: [{ toolUseId: 'tooluse_a', name: 'final_answer', input: { city: 'Oslo', tempC: 4 } }],
    });

    const events: ModelStreamEvent[] = [];
    for await (const event of model.stream!(ask({ tools: [] }))) events.push(event);

    expect(events.filter((event) => event.type === 'tool_call_delta')).toEqual([]);
    const text = events.flatMap((event) => (event.type === 'text_delta' ? [event.text] : [])).join('');
    expect(text).toBe('{"city":"Oslo","tempC":4}');
    expect(events.at(-1)).toMatchObject({
      type: 'response',
      response: { text, toolCalls: [], stopReason: 'end' },
    });
    expect(converseFake!.requests[0]!.body).toMatchObject({
      toolConfig: { tools: [{ toolSpec: { name: 'final_answer' } }], toolChoice: { any: {} } },
    });
  });

  it('names the answer tool apart from a real tool called final_answer', async () => {
    const model = await converse();
    converseFake!.enqueue({
      toolUses: [{ toolUseId: 't', name: 'final_answer_2', input: { city: 'A', tempC: 1 } }],
    });

    const response = await model.generate(ask({ tools: [{ ...lookup, name: 'final_answer' }] }));

    expect(response.text).toBe('{"city":"A","tempC":1}');
    expect(converseFake!.requests[0]!.body).toMatchObject({
      toolConfig: {
        tools: [{ toolSpec: { name: 'final_answer' } }, { toolSpec: { name: 'final_answer_2' } }],
      },
    });
  });

  it('sends neither answer tool nor tool choice without an output schema', async () => {
    const model = await converse();
    converseFake!.enqueue({ text: 'Sunny.' });
    const { output: _none, ...plain } = ask();

    await model.generate(plain);

    const body = converseFake!.requests[0]!.body as { toolConfig: Record<string, unknown> };
    expect(body.toolConfig).not.toHaveProperty('toolChoice');
    expect(body.toolConfig.tools).toHaveLength(1);
  });
});

describe("structured output on Bedrock Converse's native outputConfig (opt-in)", () => {
  it('sends the schema as outputConfig.textFormat, offers no answer tool, and returns the text', async () => {
    converseFake = await startBedrockConverseFake();
    const model = bedrockConverseModel({
      modelId: MODEL_ID,
      clientConfig: { endpoint: converseFake.url, region: 'us-east-1', credentials, maxAttempts: 1 },
      structuredOutput: 'native',
    });
    converseFake.enqueue({ text: '{"city":"Oslo","tempC":4}' });

    const response = await model.generate(ask());

    expect(response).toMatchObject({ text: '{"city":"Oslo","tempC":4}', stopReason: 'end' });
    const body = converseFake.requests[0]!.body as Record<string, Record<string, unknown>>;
    expect(body.outputConfig).toEqual({
      textFormat: {
        type: 'json_schema',
        structure: { jsonSchema: { name: 'weather', schema: JSON.stringify(weather) } },
      },
    });
    expect(body.toolConfig).not.toHaveProperty('toolChoice');
    expect(body.toolConfig!.tools).toEqual([
      expect.objectContaining({ toolSpec: expect.objectContaining({ name: 'lookup' }) }),
    ]);
  });
});

describe('structured output on Bedrock Agents (instructions only)', () => {
  it('asks for the JSON in the instructions, since InvokeInlineAgent has no structured mode', async () => {
    agentFake = await startBedrockAgentFake();
    agentFake.enqueue({ text: '{"city":"Oslo","tempC":4}' });
    const model = bedrockInlineAgentModel({
      foundationModel: MODEL_ID,
      clientConfig: { endpoint: agentFake.url, region: 'us-east-1', credentials, maxAttempts: 1 },
    });

    const response = await model.generate(ask());

    expect(response.text).toBe('{"city":"Oslo","tempC":4}');
    const { instruction } = agentFake.requests[0]!.body as { instruction: string };
    expect(instruction).toContain('You report the weather');
    expect(instruction).toContain('reply with only a JSON object');
    expect(instruction).toContain(JSON.stringify(weather));
  });
});
