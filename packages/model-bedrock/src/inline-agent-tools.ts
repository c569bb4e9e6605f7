import type {
  AgentActionGroup,
  FunctionDefinition,
  ParameterDetail,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { type JsonObject, ModelError, type ToolSpec } from '@baton/core';

/**
 * Baton tools as a Bedrock Agents action group that returns control instead of calling a Lambda,
 * so tools keep running inside Baton with its guarantees (intent records, approvals, idempotency).
 *
 * Bedrock's function schema is flat and narrower than JSON Schema; the mapping is lossy on purpose:
 * - parameter types are string, number, integer, boolean and array only: an object (or a union, or
 *   anything without a plain type) is declared as a string the model fills with JSON;
 * - nested properties, array item types, enums and formats are not declared; enum values are
 *   appended to the description so the model still sees them;
 * - function and parameter names must match `([0-9a-zA-Z][_-]?){1,100}` (no leading, trailing or
 *   doubled `_`/`-`); a tool that does not is rejected with a non-retryable ModelError;
 * - descriptions are cut to 1200 characters (functions) and 500 (parameters);
 * - the service also caps functions per action group and parameters per function (account quotas).
 */
export function actionGroupFor(tools: ToolSpec[], actionGroupName: string): AgentActionGroup {
  return {
    actionGroupName,
    description: 'Tools run by the calling application',
    actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
    functionSchema: { functions: tools.map(functionFor) },
  };
}

const NAME = /^([0-9a-zA-Z][_-]?){1,100}$/;

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new ModelError(
      `bedrock-agent: ${kind} name ${JSON.stringify(name)} is not allowed by Bedrock Agents (${NAME})`,
      {
        retryable: false,
        provider: 'bedrock-agent',
      },
    );
  }
}

function functionFor(tool: ToolSpec): FunctionDefinition {
  checkName('tool', tool.name);
  const properties = propertiesOf(tool.parameters);
  const required = new Set(Array.isArray(tool.parameters.required) ? tool.parameters.required : []);
  const parameters: Record<string, ParameterDetail> = {};
  for (const [name, schema] of Object.entries(properties)) {
    checkName('parameter', name);
    parameters[name] = parameterFor(schema, required.has(name));
  }
  return {
    name: tool.name,
    description: (tool.description || tool.name).slice(0, 1200),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    requireConfirmation: 'DISABLED',
  };
}

function propertiesOf(schema: JsonObject): Record<string, JsonObject> {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null && !Array.isArray(properties)
    ? (properties as Record<string, JsonObject>)
    : {};
}

/** The JSON Schema type of a property, or undefined when it has no single plain type. */
export function jsonTypeOf(schema: JsonObject | undefined): string | undefined {
  const type = schema?.type;
  if (typeof type === 'string') return type;
  // ["integer", "null"] is how optional values often look: the non-null type is the one that counts.
  if (Array.isArray(type)) {
    const concrete = type.filter((entry) => entry !== 'null');
    return concrete.length === 1 && typeof concrete[0] === 'string' ? concrete[0] : undefined;
  }
  return undefined;
}

const BEDROCK_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array']);

function parameterFor(schema: JsonObject, required: boolean): ParameterDetail {
  const type = jsonTypeOf(schema);
  const declared = type !== undefined && BEDROCK_TYPES.has(type) ? type : 'string';
  let description = typeof schema.description === 'string' ? schema.description : '';
  if (Array.isArray(schema.enum))
    description += ` One of: ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}.`;
  if (declared === 'string' && type !== 'string') description += ' Give the value as JSON.';
  return {
    type: declared as ParameterDetail['type'],
    required,
    ...(description.trim() ? { description: description.trim().slice(0, 500) } : {}),
  };
}
