import { z } from 'zod';
import { type ApproverPolicy, checkApproverPolicy } from './approver-policy.js';
import type { Json, JsonObject } from './json.js';
import type { Logger } from './logger.js';
import type { ToolSpec } from './model.js';
import type { ScheduleRequest } from './schedules/schedule-spec.js';
import type { SessionRef } from './session-ref.js';

/** The session tool state as one tool call sees it: committed state plus this call's own writes. */
export interface ToolState {
  get<T extends Json = Json>(key: string): T | undefined;
  set(key: string, value: Json): void;
  delete(key: string): void;
  /** A copy of the whole state as this call sees it. */
  all(): JsonObject;
}

export interface ToolContext {
  session: SessionRef;
  callId: string;
  /**
   * Stable across retries and invocations, unique in the session: session + model response seq + call
   * id (providers may repeat call ids across responses). Pass it to the systems the tool calls.
   */
  idempotencyKey: string;
  state: ToolState;
  /** Aborted at the invocation deadline or the tool's own timeout. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Schedules input for this session later: once (`at`, `delayMs`) or on a `cron` rule. Committed
   * with this call's result, so a call run again does not schedule twice; throws a ValidationError
   * for a past time, a bad or too frequent rule.
   *
   * @example
   * const { scheduleId } = ctx.schedule({ text: 'remind me to stretch', delayMs: 2 * 3600_000 });
   */
  schedule(request: ScheduleRequest): { scheduleId: string; dueAt: number };
  /** Cancels an active schedule of this session (or one this call set); throws for an unknown id. */
  cancelSchedule(scheduleId: string): void;
}

/**
 * Thrown by a tool whose call failed after its request may have reached the system it calls (a 5xx,
 * a connection cut mid-request): an at-most-once call is then recorded `unknown`, like a timeout,
 * and never run again; for an idempotent tool it is an error like any throw.
 *
 * @example
 * if (response.status >= 500) throw new ToolOutcomeUnknownError(`the shop answered ${response.status}`);
 */
export class ToolOutcomeUnknownError extends Error {
  override readonly name = 'ToolOutcomeUnknownError';
}

/**
 * - idempotent: safe to run again if a crash loses its result (the default).
 * - at-most-once: never runs twice; an intent is committed first, and a crash between intent and
 *   result surfaces as an unknown outcome instead of a second run.
 */
export type ToolExecution = 'idempotent' | 'at-most-once';

export interface Tool<Params extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: Params;
  execution: ToolExecution;
  /** The run stops in waiting_approval until a person approves or rejects the call. */
  needsApproval: boolean | ((args: z.infer<Params>) => boolean);
  /** Budget the loop reserves before starting the tool; also its timeout. */
  timeoutMs: number;
  /** Who may decide this tool's calls; wins over the agent's policy. */
  approvers?: ApproverPolicy;
  /** An agent tool (`agentTool`): calls run as child sessions of this agent, not through `execute`. */
  delegate?: { agent: string };
  /**
   * The arguments' JSON Schema as the model is shown it, when the tool has one already (an MCP
   * tool's `inputSchema`); else it is derived from `parameters`, which validates either way.
   */
  jsonSchema?: JsonObject;
  execute(args: z.infer<Params>, context: ToolContext): Promise<Json | undefined> | Json | undefined;
}

export interface ToolOptions<Params extends z.ZodType> {
  name: string;
  description: string;
  parameters: Params;
  execute: Tool<Params>['execute'];
  execution?: ToolExecution;
  needsApproval?: Tool<Params>['needsApproval'];
  timeoutMs?: number;
  /** Who may approve or reject this tool's calls (see ApproverPolicy); wins over the agent's. */
  approvers?: ApproverPolicy;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Defines a tool.
 *
 * @example
 * const addNote = defineTool({
 *   name: 'add_note',
 *   description: 'Remember a note for this session',
 *   parameters: z.object({ text: z.string() }),
 *   execute: ({ text }, { state }) => {
 *     const notes = state.get<string[]>('notes') ?? [];
 *     state.set('notes', [...notes, text]);
 *     return { saved: notes.length + 1 };
 *   },
 * });
 */
export function defineTool<Params extends z.ZodType>(options: ToolOptions<Params>): Tool<Params> {
  if (!TOOL_NAME.test(options.name)) {
    throw new Error(
      `tool name ${JSON.stringify(options.name)} must match ${TOOL_NAME} (the providers' rule)`,
    );
  }
  const approvers = checkApproverPolicy(options.approvers, `tool ${options.name}`);
  return {
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    execute: options.execute,
    execution: options.execution ?? 'idempotent',
    needsApproval: options.needsApproval ?? false,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(approvers ? { approvers } : {}),
  };
}

/** The provider-neutral spec a model adapter sends: name, description, JSON Schema of the arguments. */
export function toolSpec(tool: Tool): ToolSpec {
  if (tool.jsonSchema) return { name: tool.name, description: tool.description, parameters: tool.jsonSchema };
  const schema = z.toJSONSchema(tool.parameters, { target: 'draft-7', unrepresentable: 'any' }) as JsonObject;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parameters: schema };
}
