import type { Model, ToolSpec } from './model.js';
import { type Tool, toolSpec } from './tool.js';

export interface AgentLimits {
  /** Model calls in one run before it stops with reason max_steps. */
  maxSteps: number;
  /** Largest input text accepted, in UTF-8 bytes. */
  maxInputBytes: number;
  /** Compact the live context into a summary once it holds more than this many events (0: never). */
  compactAfterEvents: number;
}

export interface AgentTiming {
  /** Time reserved before a model call: if less remains before the deadline, the run continues later. */
  modelCallMs: number;
  /** Lease length; renewed with every commit. */
  leaseMs: number;
}

export interface AgentPolicies {
  /** What happens to an at-most-once call whose outcome a crash left unknown. */
  unknownOutcome: 'error' | 'approval';
}

export interface Agent {
  name: string;
  instructions: string;
  model: Model;
  tools: Tool[];
  limits: AgentLimits;
  timing: AgentTiming;
  policies: AgentPolicies;
}

export interface AgentOptions {
  name: string;
  instructions: string;
  model: Model;
  tools?: Tool[];
  limits?: Partial<AgentLimits>;
  timing?: Partial<AgentTiming>;
  policies?: Partial<AgentPolicies>;
}

const AGENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Defines an agent once; every adapter (local server, Lambda, Azure Functions) serves the same object.
 *
 * @example
 * const agent = defineAgent({ name: 'helper', instructions: 'Be brief.', model, tools: [addNote] });
 */
export function defineAgent(options: AgentOptions): Agent {
  if (!AGENT_NAME.test(options.name)) {
    throw new Error(`agent name ${JSON.stringify(options.name)} must match ${AGENT_NAME}`);
  }
  const tools = options.tools ?? [];
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`agent ${options.name} has two tools named ${tool.name}`);
    names.add(tool.name);
  }
  return {
    name: options.name,
    instructions: options.instructions,
    model: options.model,
    tools,
    limits: { maxSteps: 25, maxInputBytes: 64 * 1024, compactAfterEvents: 0, ...options.limits },
    timing: { modelCallMs: 60_000, leaseMs: 90_000, ...options.timing },
    policies: { unknownOutcome: 'error', ...options.policies },
  };
}

export function agentToolSpecs(agent: Agent): ToolSpec[] {
  return agent.tools.map(toolSpec);
}
