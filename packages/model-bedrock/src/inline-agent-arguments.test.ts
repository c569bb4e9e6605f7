import type { ToolSpec } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { argumentsFromParameters } from './inline-agent-arguments.js';

const tool: ToolSpec = {
  name: 'plan',
  description: 'Plan a trip',
  parameters: {
    type: 'object',
    properties: {
      days: { type: ['integer', 'null'] },
      cities: { type: 'array', items: { type: 'string' } },
      stops: { type: 'array', items: { type: 'integer' } },
      flexible: { type: 'boolean' },
      note: { type: 'string' },
      anything: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    },
  },
};

function convert(parameters: Record<string, string>, spec: ToolSpec | null = tool): unknown {
  return JSON.parse(
    argumentsFromParameters(
      Object.entries(parameters).map(([name, value]) => ({ name, type: 'string', value })),
      spec ?? undefined,
    ),
  );
}

describe('argumentsFromParameters', () => {
  it('converts a nullable integer by its non-null type when the schema lists null too', () => {
    expect(convert({ days: ' 4 ' })).toEqual({ days: 4 });
  });

  it('parses JSON arrays and converts their items when the array is JSON', () => {
    expect(convert({ cities: '["Oslo","Bergen"]', stops: '["1", 2]' })).toEqual({
      cities: ['Oslo', 'Bergen'],
      stops: [1, 2],
    });
  });

  it('splits a bracketed list when the model left the items unquoted', () => {
    expect(convert({ cities: "[Oslo, 'Bergen']", stops: '[1, 2, x]' })).toEqual({
      cities: ['Oslo', 'Bergen'],
      stops: [1, 2, 'x'],
    });
  });

  it('returns an empty array when the list is empty', () => {
    expect(convert({ cities: '[ ]' })).toEqual({ cities: [] });
  });

  it('keeps strings, untyped values and unknown parameters as strings when no type says otherwise', () => {
    expect(convert({ note: '42', anything: '7', extra: 'true' })).toEqual({
      note: '42',
      anything: '7',
      extra: 'true',
    });
  });

  it('keeps every value a string when the tool is unknown', () => {
    expect(convert({ days: '4' }, null)).toEqual({ days: '4' });
  });
});
