import type { BedrockAgentRuntimeClientConfig } from '@aws-sdk/client-bedrock-agent-runtime';
import type { ModelMessage, ModelRequest, ToolSpec } from '@baton/core';
import { type BedrockAgentFake, startBedrockAgentFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

const FOUNDATION_MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
let fake: BedrockAgentFake;
beforeEach(async () => {
  fake = await startBedrockAgentFake();
});
afterEach(async () => {
  await fake.close();
});

/** A new model (and client) per call stands for a new process: nothing survives but the messages. */
function agent(extra: BedrockAgentRuntimeClientConfig = {}) {
  return bedrockInlineAgentModel({
    foundationModel: FOUNDATION_MODEL,
    clientConfig: {
      endpoint: fake.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
      ...extra,
    },
  });
}

const bookHotel: ToolSpec = {
  name: 'book_hotel',
  description: 'Book a hotel room',
  parameters: {
    type: 'object',
    properties: {
      hotel: { type: 'string', description: 'Hotel name' },
      nights: { type: 'integer' },
      budget: { type: 'number' },
      breakfast: { type: 'boolean' },
      guests: { type: 'array', items: { type: 'string' } },
      card: { type: 'object', properties: { last4: { type: 'string' } } },
      room: { type: 'string', enum: ['single', 'double'] },
    },
    required: ['hotel', 'nights'],
  },
};
const checkWeather: ToolSpec = {
  name: 'check_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const instructions = 'You are a travel assistant. Book what the user asks for.';

function ask(messages: ModelMessage[], overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions,
    messages,
    tools: [bookHotel, checkWeather],
    sessionKey: 'tenant-a/trip-42',
    ...overrides,
  };
}

describe('bedrockInlineAgentModel', () => {
  it('returns the text, usage and session state when the agent answers in words', async () => {
    fake.enqueue({ text: 'Where would you like to stay?', usage: { inputTokens: 310, outputTokens: 12 } });

    const response = await agent().generate(ask([{ role: 'user', content: 'Book me a hotel' }]));

    const sessionId = fake.sessionIdOf(fake.requests[0]!);
    expect(sessionId).toMatch(/^baton-[0-9a-f]{40}$/);
    expect(response).toEqual({
      text: 'Where would you like to stay?',
      toolCalls: [],
      usage: { inputTokens: 310, outputTokens: 12 },
      stopReason: 'end',
      model: FOUNDATION_MODEL,
      providerState: { bedrockInlineAgent: { sessionId } },
    });
    expect(fake.requests[0]!.httpVersion).toBe('2.0');
    expect(fake.requests[0]!.body).toMatchObject({
      foundationModel: FOUNDATION_MODEL,
      instruction: instructions,
      inputText: 'Book me a hotel',
      enableTrace: true,
      idleSessionTTLInSeconds: 3600,
      actionGroups: [
        {
          actionGroupName: 'baton_tools',
          actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
          functionSchema: {
            functions: [
              {
                name: 'book_hotel',
                parameters: {
                  hotel: { type: 'string', required: true, description: 'Hotel name' },
                  nights: { type: 'integer', required: true },
                  budget: { type: 'number', required: false },
                  breakfast: { type: 'boolean', required: false },
                  guests: { type: 'array', required: false },
                  card: { type: 'string', required: false, description: 'Give the value as JSON.' },
                  room: { type: 'string', required: false, description: 'One of: "single", "double".' },
                },
              },
              { name: 'check_weather', parameters: { city: { type: 'string', required: true } } },
            ],
          },
        },
      ],
    });
  });

  it('derives one session id per Baton session when called for different sessions', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' }, { text: 'c' });

    await agent().generate(ask([{ role: 'user', content: 'Hi' }]));
    await agent().generate(ask([{ role: 'user', content: 'Hi' }]));
    await agent().generate(ask([{ role: 'user', content: 'Hi' }], { sessionKey: 'tenant-b/trip-42' }));

    const [first, second, third] = fake.requests.map((request) => fake.sessionIdOf(request));
    expect(first).toBe(second);
    expect(third).not.toBe(first);
  });

  it('round-trips a return of control with string parameters converted through the schema', async () => {
    fake.enqueue({
      usage: { inputTokens: 400, outputTokens: 40 },
      returnControl: {
        invocationId: '6a1c2b8e-0d7c-4f55-9a43-3f1f3c1a9b10',
        invocations: [
          {
            function: 'book_hotel',
            parameters: {
              hotel: 'Grand',
              nights: '3',
              budget: '120.5',
              breakfast: 'TRUE',
              guests: '[Ada, Linus]',
              card: '{"last4":"4242"}',
            },
          },
          { function: 'check_weather', parameters: { city: 'Oslo' } },
        ],
      },
    });
    const history: ModelMessage[] = [{ role: 'user', content: 'Book the Grand in Oslo for 3 nights' }];

    const paused = await agent().generate(ask(history));

    expect(paused.stopReason).toBe('tool_calls');
    expect(paused.usage).toEqual({ inputTokens: 400, outputTokens: 40 });
    expect(paused.toolCalls).toEqual([
      {
        callId: '6a1c2b8e-0d7c-4f55-9a43-3f1f3c1a9b10_0',
        name: 'book_hotel',
        arguments:
          '{"hotel":"Grand","nights":3,"budget":120.5,"breakfast":true,"guests":["Ada","Linus"],"card":{"last4":"4242"}}',
      },
      {
        callId: '6a1c2b8e-0d7c-4f55-9a43-3f1f3c1a9b10_1',
        name: 'check_weather',
        arguments: '{"city":"Oslo"}',
      },
    ]);
    const sessionId = fake.sessionIdOf(fake.requests[0]!);
    expect(paused.providerState).toEqual({
      bedrockInlineAgent: { sessionId, invocationId: '6a1c2b8e-0d7c-4f55-9a43-3f1f3c1a9b10' },
    });

    fake.enqueue({ text: 'Booked the Grand for 3 nights.', usage: { inputTokens: 500, outputTokens: 20 } });
    const resumed = await agent().generate(
      ask([
        ...history,
        {
          role: 'assistant',
          content: paused.text,
          toolCalls: paused.toolCalls,
          providerState: paused.providerState!,
        },
        {
          role: 'tool',
          callId: paused.toolCalls[0]!.callId,
          name: 'book_hotel',
          content: '{"confirmation":"GR-1"}',
          isError: false,
        },
        {
          role: 'tool',
          callId: paused.toolCalls[1]!.callId,
          name: 'check_weather',
          content: '',
          isError: true,
        },
      ]),
    );

    expect(resumed).toMatchObject({ text: 'Booked the Grand for 3 nights.', stopReason: 'end' });
    const resume = fake.requests[1]!;
    expect(fake.sessionIdOf(resume)).toBe(sessionId);
    expect(resume.body).not.toHaveProperty('inputText');
    expect((resume.body as { inlineSessionState: unknown }).inlineSessionState).toEqual({
      invocationId: '6a1c2b8e-0d7c-4f55-9a43-3f1f3c1a9b10',
      returnControlInvocationResults: [
        {
          functionResult: {
            actionGroup: 'baton_tools',
            function: 'book_hotel',
            responseBody: { TEXT: { body: '{"confirmation":"GR-1"}' } },
          },
        },
        {
          functionResult: {
            actionGroup: 'baton_tools',
            function: 'check_weather',
            responseBody: { TEXT: { body: '(no output)' } },
            responseState: 'REPROMPT',
          },
        },
      ],
    });
  });

  it('sends only the new input when the Bedrock session already holds the earlier turns', async () => {
    fake.enqueue({ text: 'For how many nights?' }, { text: 'Booked.' });
    const first = await agent().generate(ask([{ role: 'user', content: 'Book the Grand' }]));

    await agent().generate(
      ask([
        { role: 'user', content: 'Book the Grand' },
        { role: 'assistant', content: first.text, toolCalls: [], providerState: first.providerState! },
        { role: 'user', content: 'Two nights' },
      ]),
    );

    expect(fake.requests[1]!.body).toMatchObject({ inputText: 'Two nights' });
    expect(fake.requests[1]!.body).not.toHaveProperty('inlineSessionState');
  });

  it('leaves a value it cannot convert as a string when the agent sends garbage for a typed parameter', async () => {
    fake.enqueue({
      returnControl: {
        invocationId: 'inv-1',
        invocations: [
          { function: 'book_hotel', parameters: { hotel: 'Grand', nights: 'three', breakfast: 'maybe' } },
        ],
      },
    });

    const response = await agent().generate(ask([{ role: 'user', content: 'Book it' }]));

    expect(response.toolCalls[0]?.arguments).toBe('{"hotel":"Grand","nights":"three","breakfast":"maybe"}');
  });

  it('keeps input that arrived while tools ran by adding it to the last result', async () => {
    fake.enqueue({ text: 'Done.' });
    const call = { callId: 'inv-9_0', name: 'check_weather', arguments: '{"city":"Oslo"}' };

    await agent().generate(
      ask([
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [call],
          providerState: { bedrockInlineAgent: { sessionId: 's-1', invocationId: 'inv-9' } },
        },
        { role: 'tool', callId: 'inv-9_0', name: 'check_weather', content: 'rain', isError: false },
        { role: 'user', content: 'Also, bring an umbrella?' },
      ]),
    );

    expect(fake.sessionIdOf(fake.requests[0]!)).toBe('s-1');
    expect(fake.requests[0]!.body).toMatchObject({
      inlineSessionState: {
        invocationId: 'inv-9',
        returnControlInvocationResults: [
          {
            functionResult: {
              responseBody: {
                TEXT: { body: 'rain\n\n[The user wrote meanwhile: Also, bring an umbrella?]' },
              },
            },
          },
        ],
      },
    });
  });

  it('pads instructions to the 40 characters Bedrock requires when they are shorter', async () => {
    fake.enqueue({ text: 'ok' });

    await agent().generate(ask([{ role: 'user', content: 'Hi' }], { instructions: 'Be brief.' }));

    const { instruction } = fake.requests[0]!.body as { instruction: string };
    expect(instruction.startsWith('Be brief.')).toBe(true);
    expect(instruction.length).toBeGreaterThanOrEqual(40);
  });
});
