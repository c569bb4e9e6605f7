import type { ApproverPolicy, Json, JsonObject, ListedTool, Tool, ToolExecution } from '@baton/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** How one MCP tool runs in Baton; anything left out comes from its annotations (see `toolPolicy`). */
export interface McpToolConfig {
  /** 'at-most-once' commits an intent first and never runs the call twice; default from the annotations. */
  execution?: ToolExecution;
  /** The run waits for a person to approve each call. */
  needsApproval?: boolean;
  timeoutMs?: number;
  /** Who may approve its calls; wins over the agent's policy. */
  approvers?: ApproverPolicy;
  /** false: the model never sees the tool. */
  enabled?: boolean;
}

/**
 * The tool's execution and approval from its MCP annotations, which a server sets and the config
 * overrides by name. MCP's defaults count: a tool without annotations may be destructive and is
 * not idempotent, so it runs at most once. Read-only or idempotent tools may run again after a
 * crash. Annotations never ask for approval by themselves (a server's hints are not the
 * developer's decision) unless `approveDestructive` says that destructive ones do.
 *
 * @example
 * toolPolicy({ readOnlyHint: true }, undefined, false); // { execution: 'idempotent', needsApproval: false }
 * toolPolicy(undefined, { needsApproval: true }, false); // { execution: 'at-most-once', needsApproval: true }
 */
export function toolPolicy(
  annotations: JsonObject | undefined,
  config: McpToolConfig | undefined,
  approveDestructive: boolean,
): { execution: ToolExecution; needsApproval: boolean } {
  const readOnly = annotations?.readOnlyHint === true;
  const idempotent = readOnly || annotations?.idempotentHint === true;
  const destructive = !readOnly && annotations?.destructiveHint !== false;
  return {
    execution: config?.execution ?? (idempotent ? 'idempotent' : 'at-most-once'),
    needsApproval: config?.needsApproval ?? (approveDestructive && destructive),
  };
}

const TOOL_NAME_MAX = 64;

/** The name the model sees: the providers allow [a-zA-Z0-9_-]{1,64}. */
export function exposedName(prefix: string, name: string): string {
  return `${prefix}${name.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, TOOL_NAME_MAX);
}

/**
 * The arguments' validator: the input schema as zod (`z.fromJSONSchema`), so bad arguments are
 * fed back to the model before any request. A schema zod cannot read is passed through unchecked:
 * the server validates its own input and answers a tool error the model sees the same way.
 */
export function argumentsValidator(inputSchema: JsonObject): z.ZodType {
  try {
    return z.fromJSONSchema(inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return z.record(z.string(), z.unknown());
  }
}

/** What the model is shown of a result: its structured content, else its text, else a description of each part. */
export function resultOutput(result: CallToolResult): Json {
  const parts = result.content.map((part): Json => {
    if (part.type === 'text') return part.text;
    if (part.type === 'resource_link') return { type: part.type, uri: part.uri, name: part.name };
    if (part.type === 'resource') return { type: part.type, uri: part.resource.uri };
    return { type: part.type, mimeType: part.mimeType };
  });
  if (result.isError) {
    const text = parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('\n');
    throw new Error(`the tool reported an error: ${text || 'no details'}`);
  }
  if (result.structuredContent) return result.structuredContent as JsonObject;
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  return parts;
}

export type ListedToolSpec = Pick<Tool, 'name' | 'description' | 'parameters' | 'jsonSchema'> & {
  original: ListedTool;
};

/** The model-facing part of a listed tool: its exposed name, description, validator and schema. */
export function listedToolSpec(prefix: string, listed: ListedTool): ListedToolSpec {
  const { $schema: _schema, ...schema } = listed.inputSchema;
  return {
    name: exposedName(prefix, listed.name),
    description: listed.description ?? listed.name,
    parameters: argumentsValidator(listed.inputSchema),
    jsonSchema: schema,
    original: listed,
  };
}
