import type { ModelMessage, ModelRequest, ToolSpec } from '@baton/core';

/** Tools the portable history uses; JSON Schema with the types every adapter must carry. */
export const portableTools: ToolSpec[] = [
  {
    name: 'get_weather',
    description: 'Current weather and forecast for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        days: { type: 'integer', description: 'Forecast days' },
        metric: { type: 'boolean' },
      },
      required: ['city'],
    },
  },
];

/**
 * A provider-neutral conversation as Baton's log holds it: a user turn, an assistant turn with two
 * parallel tool calls, their results (one an error with empty content, which Bedrock rejects
 * unless the adapter fills it), and a new user turn. No provider state: it could have been
 * produced by any adapter, so every adapter must accept it as its own.
 */
export const portableHistory: ModelMessage[] = [
  { role: 'user', content: 'What is the weather in Oslo and in Bergen?' },
  {
    role: 'assistant',
    content: 'Let me check both cities.',
    toolCalls: [
      { callId: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo","days":1}' },
      { callId: 'call_bergen', name: 'get_weather', arguments: '{"city":"Bergen","days":1}' },
    ],
  },
  {
    role: 'tool',
    callId: 'call_oslo',
    name: 'get_weather',
    content: '{"tempC":4,"sky":"rain"}',
    isError: false,
  },
  { role: 'tool', callId: 'call_bergen', name: 'get_weather', content: '', isError: true },
  { role: 'user', content: 'Thanks. Which city is warmer?' },
];

/** A full request around the portable history. */
export function portableRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'You are a concise weather assistant.',
    messages: portableHistory,
    tools: portableTools,
    sessionKey: 'tenant-a/portable-session',
    ...overrides,
  };
}
