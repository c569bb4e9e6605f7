import { z } from 'zod';
import type { ApproverPolicy } from '../approver-policy.js';
import { defineTool, type Tool } from '../tool.js';

/** How deep agents may call agents: a parent at depth 0 (a session started by a client) may start
 * children down to this depth; a call past it gets an error result, so a cycle ends. */
export const MAX_DELEGATION_DEPTH = 4;

/** What the model passes to an agent tool: the child's first message. */
export const agentToolParameters = z.object({
  input: z
    .string()
    .min(1)
    .describe('The message to send to the agent: what to do, with everything it needs to know.'),
});

export interface AgentToolOptions {
  /** What the model is told the agent does; the tool is chosen by it. */
  description: string;
  /** The tool name the model sees. Default: the agent's name (dashes become underscores). */
  name?: string;
  /** The call waits for a person before the child is started. Default false. */
  needsApproval?: boolean;
  approvers?: ApproverPolicy;
}

/**
 * An agent registered in the same app (`defineBaton({ agents })`), called as a tool: each call runs
 * as a child session of its own (its own log, lease and approvals), and the parent's run waits for
 * it without holding a lease or an invocation. The child's final answer is the call's result.
 *
 * @example
 * const researcher = defineAgent({ name: 'researcher', instructions: 'Find facts.', model: 'offline' });
 * const writer = defineAgent({
 *   name: 'writer',
 *   instructions: 'Ask the researcher, then write.',
 *   model: 'offline',
 *   tools: [agentTool('researcher', { description: 'Finds facts about a topic.' })],
 * });
 */
export function agentTool(agent: string, options: AgentToolOptions): Tool<typeof agentToolParameters> {
  const tool = defineTool({
    name: options.name ?? agent.replaceAll('-', '_'),
    description: options.description,
    parameters: agentToolParameters,
    needsApproval: options.needsApproval ?? false,
    ...(options.approvers ? { approvers: options.approvers } : {}),
    execute: () => {
      throw new Error(`${agent} is an agent: its calls run as child sessions, never in-process`);
    },
  });
  return { ...tool, delegate: { agent } };
}

/** The agent a tool delegates to, if it is an agent tool. */
export function delegateOf(tool: Tool | undefined): string | undefined {
  return tool?.delegate?.agent;
}
