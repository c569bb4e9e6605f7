import type { JsonObject, ModelRequest } from '@baton/core';

/** Keywords OpenAI's strict Structured Outputs refuse (its documented subset of JSON Schema). */
const NOT_STRICT = new Set([
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'dependentRequired',
  'dependentSchemas',
  'patternProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'contains',
  'prefixItems',
  'uniqueItems',
  'minLength',
  'maxLength',
]);

/**
 * Whether OpenAI can enforce the schema in strict mode: every object closed
 * (`additionalProperties: false`) with all its properties required, and none of the keywords strict
 * mode refuses. Otherwise the schema is sent with `strict: false` (a guide the model follows, which
 * Baton's loop validates) rather than being refused by the API.
 *
 * @example
 * strictCompatible({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }) // true
 */
export function strictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(strictCompatible);
  if (schema === null || typeof schema !== 'object') return true;
  const node = schema as Record<string, unknown>;
  for (const key of Object.keys(node)) if (NOT_STRICT.has(key)) return false;
  const properties = node.properties;
  const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (isObject || properties !== undefined) {
    if (node.additionalProperties !== false) return false;
    const names = properties && typeof properties === 'object' ? Object.keys(properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    if (!names.every((name) => required.includes(name))) return false;
  }
  for (const [key, value] of Object.entries(node)) {
    // Under these keys sit names and values, not schemas.
    if (key === 'enum' || key === 'const' || key === 'required' || key === 'default' || key === 'examples') {
      continue;
    }
    if (key === 'properties' || key === '$defs' || key === 'definitions') {
      if (value && typeof value === 'object' && !Object.values(value).every(strictCompatible)) return false;
    } else if (typeof value === 'object' && !strictCompatible(value)) return false;
  }
  return true;
}

/** The request's output schema in OpenAI's json_schema form, `strict` only where the API allows it. */
export function jsonSchemaFormat(output: NonNullable<ModelRequest['output']>): {
  name: string;
  schema: JsonObject;
  strict: boolean;
} {
  return { name: output.name, schema: output.schema, strict: strictCompatible(output.schema) };
}
