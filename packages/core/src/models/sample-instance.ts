import type { Json, JsonObject } from '../json.js';

/**
 * A value that matches a JSON Schema, for the offline demo model's structured answers: every
 * property filled (strings take `text`), the first of an enum or anyOf, the least number allowed,
 * as many array items as `minItems` asks. Schemas it cannot satisfy (a `pattern`, `not`, clashing
 * `allOf`) get a best guess that the loop then rejects, as it would a real model's.
 *
 * @example
 * sampleInstance({ type: 'object', properties: { city: { type: 'string' } } }, 'Oslo') // { city: 'Oslo' }
 */
export function sampleInstance(schema: JsonObject, text: string): Json {
  return sample(schema, schema, text, 0);
}

function sample(node: Json | undefined, root: JsonObject, text: string, depth: number): Json {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || depth > 8) return null;
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0]!;
  if (typeof node.$ref === 'string') return sample(resolve(root, node.$ref), root, text, depth + 1);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) return sample(options[0], root, text, depth + 1);
  }
  if (Array.isArray(node.allOf)) {
    return Object.assign({}, ...node.allOf.map((part) => sample(part, root, text, depth + 1)));
  }
  const type = Array.isArray(node.type) ? node.type.find((entry) => entry !== 'null') : node.type;
  switch (type) {
    case 'object':
      return sampleObject(node, root, text, depth);
    case 'array': {
      const count = typeof node.minItems === 'number' ? node.minItems : 0;
      return Array.from({ length: count }, () => sample(node.items, root, text, depth + 1));
    }
    case 'string':
      return sampleString(node, text);
    case 'integer':
    case 'number': {
      const least = typeof node.minimum === 'number' ? node.minimum : 0;
      const above = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum + 1 : least;
      return Math.max(least, above, typeof node.maximum === 'number' ? Math.min(0, node.maximum) : 0);
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return node.properties ? sampleObject(node, root, text, depth) : null;
  }
}

function sampleObject(node: JsonObject, root: JsonObject, text: string, depth: number): JsonObject {
  const properties = (node.properties ?? {}) as JsonObject;
  return Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, sample(property, root, text, depth + 1)]),
  );
}

function sampleString(node: JsonObject, text: string): string {
  const formats: Record<string, string> = {
    'date-time': '2026-01-01T00:00:00Z',
    date: '2026-01-01',
    time: '00:00:00Z',
    email: 'someone@example.com',
    uri: 'https://example.com/',
    uuid: '00000000-0000-4000-8000-000000000000',
  };
  let value = (typeof node.format === 'string' && formats[node.format]) || text || 'text';
  if (typeof node.maxLength === 'number') value = value.slice(0, node.maxLength);
  if (typeof node.minLength === 'number') value = value.padEnd(node.minLength, '.');
  return value;
}

function resolve(root: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: Json | undefined = root;
  for (const part of ref.slice(2).split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
