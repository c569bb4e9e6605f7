import { z } from 'zod';
import { ValidationError } from './errors.js';
import type { EventOf, SessionEvent } from './events.js';
import type { Json, JsonObject } from './json.js';

/**
 * The schema a run's final answer must match, as the model is sent it and a run's input records
 * it: a name (`[a-zA-Z0-9_-]{1,64}`, what providers call the format) and a JSON Schema whose root
 * is an object.
 */
export interface OutputSpec {
  name: string;
  schema: JsonObject;
}

/**
 * An output schema as an agent or a run declares it: a zod schema, or one with a name; over HTTP,
 * a JSON Schema object.
 */
export type OutputOption = z.ZodType | { name?: string; schema: z.ZodType | JsonObject };

/** A checked output schema: what is sent and recorded, and what the answer is validated with. */
export interface OutputSchema extends OutputSpec {
  validator: z.ZodType;
}

/** Error code of a recorded answer that did not match its schema (fed back to the model). */
export const OUTPUT_INVALID = 'output_invalid';
/** The largest JSON Schema a run may declare, in UTF-8 bytes of its JSON. */
export const MAX_OUTPUT_SCHEMA_BYTES = 16 * 1024;
const DEFAULT_NAME = 'output';
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Checks an output schema and turns it into both forms: JSON Schema for the model and the log, zod
 * for validation (the zod schema given, or one built with `z.fromJSONSchema`). Throws a 400
 * ValidationError that says what to change for a bad name, a schema zod cannot read, a root that is
 * not an object, or a schema over 16 KiB.
 *
 * @example
 * const output = outputSchema(z.object({ total: z.number() }), 'agent orders');
 * // { name: 'output', schema: { type: 'object', properties: { total: { type: 'number' } }, ... }, validator }
 */
export function outputSchema(option: OutputOption, where: string): OutputSchema {
  const named = option instanceof z.ZodType ? { schema: option } : option;
  if (named === null || typeof named !== 'object' || named.schema === undefined) {
    throw new ValidationError(`${where}: output needs a schema (a zod schema, or JSON Schema over HTTP)`, {
      field: 'output.schema',
    });
  }
  const name = named.name ?? DEFAULT_NAME;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(`${where}: output.name must be 1-64 letters, digits, '_' or '-'`, {
      field: 'output.name',
    });
  }
  const given = named.schema;
  let schema: JsonObject;
  let validator: z.ZodType;
  if (given instanceof z.ZodType) {
    validator = given;
    schema = withoutDialect(z.toJSONSchema(given, { unrepresentable: 'any' }) as JsonObject);
  } else {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new ValidationError(`${where}: output.schema must be a JSON Schema object`, {
        field: 'output.schema',
      });
    }
    schema = withoutDialect(given);
    validator = fromJsonSchema(schema, where);
  }
  const bytes = Buffer.byteLength(JSON.stringify(schema), 'utf8');
  if (bytes > MAX_OUTPUT_SCHEMA_BYTES) {
    throw new ValidationError(
      `${where}: output.schema is ${bytes} bytes; the limit is ${MAX_OUTPUT_SCHEMA_BYTES}. Move descriptions into the instructions or split the result`,
      { field: 'output.schema', bytes, limit: MAX_OUTPUT_SCHEMA_BYTES },
    );
  }
  if (schema.type !== 'object') {
    throw new ValidationError(
      `${where}: output.schema must describe a JSON object at its root ("type": "object"); wrap a list or a single value in an object`,
      { field: 'output.schema' },
    );
  }
  return { name, schema, validator };
}

function fromJsonSchema(schema: JsonObject, where: string): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new ValidationError(
      `${where}: output.schema is not a JSON Schema Baton can check (${(error as Error).message}); use draft 2020-12 keywords and local $refs only`,
      { field: 'output.schema' },
    );
  }
}

/** `$schema` says nothing the model needs, and some providers' strict modes refuse it. */
function withoutDialect(schema: JsonObject): JsonObject {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

const recorded = new WeakMap<object, OutputSchema>();

/** The checked form of a schema recorded on an input (built once per recorded object). */
function recordedSchema(spec: OutputSpec): OutputSchema {
  let checked = recorded.get(spec);
  if (!checked) {
    checked = {
      name: spec.name,
      schema: spec.schema,
      validator: fromJsonSchema(spec.schema, 'recorded output'),
    };
    recorded.set(spec, checked);
  }
  return checked;
}

/**
 * The schema the answer of the turn whose context ends at `through` must match: the one recorded
 * on the last input the turn answers (a run's own schema), else the agent's, else none. Recorded
 * on the input, it is the same for every invocation that continues the run.
 */
export function runOutputSchema(
  events: readonly SessionEvent[],
  agentOutput: OutputSchema | undefined,
  through: number,
): OutputSchema | undefined {
  let input: EventOf<'input'> | undefined;
  for (const event of events) {
    if (event.kind === 'input' && event.seq <= through && (!input || event.seq > input.seq)) input = event;
  }
  return input?.output ? recordedSchema(input.output) : agentOutput;
}

export type AnswerCheck = { ok: true; output?: Json } | { ok: false; message: string };

/**
 * Parses and validates a final answer against `schema` (none: every answer is fine). A JSON object
 * in a Markdown code fence is accepted. The value kept is zod's output, as JSON.
 *
 * @example
 * checkAnswer('{"total": 3}', output) // { ok: true, output: { total: 3 } }
 */
export function checkAnswer(text: string, schema: OutputSchema | undefined): AnswerCheck {
  if (!schema) return { ok: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(unfenced(text));
  } catch (error) {
    return {
      ok: false,
      message: `the answer is not JSON (${(error as Error).message}); answer with one JSON object that matches the schema "${schema.name}"`,
    };
  }
  const result = schema.validator.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return {
      ok: false,
      message: `the answer does not match the schema "${schema.name}": ${issues.join('; ')}`,
    };
  }
  return { ok: true, output: JSON.parse(JSON.stringify(result.data ?? null)) as Json };
}

function unfenced(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return fenced ? fenced[1]! : text;
}

/** The user message that asks the model to answer again after a mismatch (`message` says why). */
export function correctionText(message: string): string {
  return `Your last answer was not accepted: ${message}. Answer again with only the JSON object (no prose, no code fence).`;
}

/**
 * The `output` of a `POST /sessions/{id}/messages` body, checked: absent, or `{ schema, name? }`
 * with a JSON Schema zod can read. A 400 ValidationError that says what to fix otherwise.
 *
 * @example
 * requestedOutput({ schema: { type: 'object', properties: { ok: { type: 'boolean' } } } })
 * // { name: 'output', schema: { type: 'object', ... } }
 */
export function requestedOutput(raw: unknown): OutputSpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('output must be an object: {"schema": {JSON Schema}, "name"?: "..."}', {
      field: 'output',
    });
  }
  const { schema, name } = raw as { schema?: unknown; name?: unknown };
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new ValidationError('output.schema must be a JSON Schema object', { field: 'output.schema' });
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new ValidationError('output.name must be a string', { field: 'output.name' });
  }
  const pattern = regexKeyword(schema);
  if (pattern) {
    throw new ValidationError(
      `output.schema uses "${pattern}": a regular expression sent by a caller would run on every answer (one written to backtrack can stall the server); check the format in the agent's own output schema instead`,
      { field: 'output.schema' },
    );
  }
  const checked = outputSchema({ schema: schema as JsonObject, ...(name ? { name } : {}) }, 'this request');
  return { name: checked.name, schema: checked.schema };
}

/** The first regular-expression keyword (`pattern`, `patternProperties`) anywhere in a schema. */
function regexKeyword(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if ((key === 'pattern' && typeof inner === 'string') || key === 'patternProperties') return key;
    const found = regexKeyword(inner);
    if (found) return found;
  }
  return undefined;
}
