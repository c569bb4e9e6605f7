import type { FunctionParameter } from '@aws-sdk/client-bedrock-agent-runtime';
import type { Json, JsonObject, ToolSpec } from '@baton/core';
import { jsonTypeOf } from './inline-agent-tools.js';

/**
 * Bedrock Agents hands every parameter value over as a string. This rebuilds the arguments object
 * the tool's JSON Schema describes and serializes it, so the loop validates it like any other
 * model's arguments. A value that does not convert stays the string it was, and the loop's
 * validation reports it back to the model instead of the adapter guessing.
 */
export function argumentsFromParameters(parameters: FunctionParameter[], tool: ToolSpec | undefined): string {
  const properties = (tool?.parameters.properties ?? {}) as Record<string, JsonObject>;
  const args: Record<string, Json> = {};
  for (const { name, value } of parameters) {
    if (name === undefined || value === undefined) continue;
    args[name] = convert(value, properties[name]);
  }
  return JSON.stringify(args);
}

function convert(value: string, schema: JsonObject | undefined): Json {
  switch (jsonTypeOf(schema)) {
    case 'number':
    case 'integer': {
      const number = Number(value.trim());
      return value.trim() !== '' && Number.isFinite(number) ? number : value;
    }
    case 'boolean':
      if (/^true$/i.test(value.trim())) return true;
      if (/^false$/i.test(value.trim())) return false;
      return value;
    case 'array':
      return toArray(value, schema?.items as JsonObject | undefined);
    case 'object':
      return parseJson(value) ?? value;
    default:
      return value;
  }
}

function parseJson(value: string): Json | undefined {
  try {
    return JSON.parse(value) as Json;
  } catch {
    return undefined;
  }
}

/**
 * Arrays arrive as JSON (`["a","b"]`) or, from some models, as a bracketed list without quotes
 * (`[a, b]`); both become an array whose items are converted by the items schema.
 */
function toArray(value: string, items: JsonObject | undefined): Json {
  const parsed = parseJson(value);
  if (Array.isArray(parsed)) {
    return parsed.map((item) => (typeof item === 'string' ? convert(item, items) : item));
  }
  const trimmed = value.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return value;
  const inner = trimmed.slice(1, -1).trim();
  if (inner === '') return [];
  return inner.split(',').map((item) => convert(item.trim().replace(/^["']|["']$/g, ''), items));
}
