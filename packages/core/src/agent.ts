import { type ApproverPolicy, checkApproverPolicy } from './approver-policy.js';
import type { Usage } from './events.js';
import type { Model, ModelMessage, ToolSpec } from './model.js';
import { UnresolvedModel } from './models/unresolved-model.js';
import { type OutputOption, type OutputSchema, outputSchema } from './structured-output.js';
import { type Tool, toolSpec } from './tool.js';
import type { ToolSource } from './tool-source.js';
import { type AgentWebhook, type AgentWebhookOptions, agentWebhooks } from './webhooks/webhook-config.js';

export interface AgentLimits {
  /** Model calls in one run before it stops with reason max_steps. */
  maxSteps: number;
  /** Largest input text accepted, in UTF-8 bytes. */
  maxInputBytes: number;
  /**
   * Once the live context holds more than this many events, the turns before the current one are
   * replaced by a summary (one model call) so loading and prompting stay bounded. 0: never.
   */
  compactAfterEvents: number;
}

export interface AgentTiming {
  /** Time reserved before a model call: if less remains before the deadline, the run continues later. */
  modelCallMs: number;
  /**
   * Lease length: how long a session stays blocked after its runner dies. Renewed with every commit
   * and, while a model call or tool runs, by a heartbeat each time a third of it has passed (one
   * write per 5 s at the default 15 s: 12 for a 60 s model call), so it needs no room for long calls.
   */
  leaseMs: number;
  /**
   * While a model call streams, the least time between two writes of its snapshot to the store's
   * live record (`store.live`), which lets a client connected to another invocation see the deltas:
   * about 4 writes per second of generation at the default 250. 0: never written, deltas reach only
   * clients of the process making the call.
   */
  liveWriteMs?: number;
  /**
   * While a model call or tools run, how often the lease holder reads the head to see a cancel
   * appended by another invocation (one read each time, no write; a call shorter than this costs
   * nothing). 0: no reads, a cancel is then seen by the next heartbeat (a third of `leaseMs`). A
   * cancel in the same process stops the call at once either way. Default 1000.
   */
  cancelCheckMs?: number;
}

/** Writes the summary that replaces compacted history; the default asks the agent's own model. */
export type Summarizer = (input: {
  previousSummary: string | null;
  messages: ModelMessage[];
  signal: AbortSignal;
}) => Promise<{
  text: string;
  usage?: Usage;
}>;

export interface AgentPolicies {
  /** What happens to an at-most-once call whose outcome a crash left unknown. */
  unknownOutcome: 'error' | 'approval';
  /**
   * Input that piles up while the agent works: 'batch' answers it all in the next model call (one
   * reply, recorded as answering each message it saw, also when it arrives during a tool loop or
   * while an interrupted turn waits for recovery); 'one_at_a_time' answers each message in turn:
   * a message that arrives during a turn waits until that turn has its reply, then gets its own.
   */
  inputs: 'batch' | 'one_at_a_time';
  /**
   * Call the model through its `stream()` when it has one (the committed events are the same), so
   * clients following the session see the answer as it is written (live/). Default true; false
   * calls `generate()` and clients see each step once committed.
   */
  stream: boolean;
}

export interface Agent {
  name: string;
  instructions: string;
  model: Model;
  tools: Tool[];
  limits: AgentLimits;
  timing: AgentTiming;
  policies: AgentPolicies;
  summarize: Summarizer;
  /** Who may decide this agent's calls that wait for approval; a tool's own policy wins. */
  approvers?: ApproverPolicy;
  /** Callback URLs told of every session's run events (webhooks/). */
  webhooks?: AgentWebhook[];
  /** Where more tools come from, listed once per session (tool-source.ts). */
  toolSources?: ToolSource[];
  /** The schema every final answer must match, unless a run brings its own (structured-output.ts). */
  output?: OutputSchema;
}

export interface AgentOptions {
  name: string;
  instructions: string;
  /**
   * A model by name (`'openai:gpt-5-mini'`, `'bedrock:us.amazon.nova-pro-v1:0'`, `'offline'`),
   * resolved when the app starts; a Model object; or nothing, for the model the environment
   * configures (`BATON_MODEL`, else the offline demo model).
   */
  model?: Model | string;
  tools?: Tool[];
  limits?: Partial<AgentLimits>;
  timing?: Partial<AgentTiming>;
  policies?: Partial<AgentPolicies>;
  summarize?: Summarizer;
  /**
   * Who may approve or reject this agent's tool calls (a tool's own `approvers` wins). Default:
   * any identity of the session's tenant that holds the `approve` scope.
   */
  approvers?: ApproverPolicy;
  /**
   * Callback URLs told of every session's run events, signed with the secret in the environment
   * variable `secretEnv`: `[{ url: 'https://example.com/hook', events: ['run.finished'], secretEnv: 'HOOK_SECRET' }]`.
   */
  webhooks?: AgentWebhookOptions[];
  /**
   * More tools, listed once per session and recorded in it: `[mcpServer({ name: 'crm', url })]`
   * (`@baton/mcp`). Their tools have the same guarantees as `tools`.
   */
  toolSources?: ToolSource[];
  /**
   * A zod schema (or `{ name, schema }`) every final answer must match: the answer is parsed and
   * validated, a mismatch is fed back to the model (within `maxSteps`), and the value is stored on
   * `run_finished` as `output`. A run may bring its own (`output` of an input).
   */
  output?: OutputOption;
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
  const model = typeof options.model === 'object' ? options.model : new UnresolvedModel(options.model);
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`agent ${options.name} has two tools named ${tool.name}`);
    names.add(tool.name);
  }
  const approvers = checkApproverPolicy(options.approvers, `agent ${options.name}`);
  const sources = new Set<string>();
  for (const source of options.toolSources ?? []) {
    if (sources.has(source.name))
      throw new Error(`agent ${options.name} has two tool sources named ${source.name}`);
    sources.add(source.name);
  }
  return {
    name: options.name,
    instructions: options.instructions,
    model,
    tools,
    limits: { maxSteps: 25, maxInputBytes: 64 * 1024, compactAfterEvents: 400, ...options.limits },
    timing: { modelCallMs: 60_000, leaseMs: 15_000, ...options.timing },
    policies: { unknownOutcome: 'error', inputs: 'batch', stream: true, ...options.policies },
    summarize: options.summarize ?? defaultSummarizer(model),
    ...(approvers ? { approvers } : {}),
    ...(options.webhooks?.length ? { webhooks: agentWebhooks(options.name, options.webhooks) } : {}),
    ...(options.toolSources?.length ? { toolSources: options.toolSources } : {}),
    ...(options.output ? { output: outputSchema(options.output, `agent ${options.name}`) } : {}),
  };
}

export function agentToolSpecs(agent: Agent): ToolSpec[] {
  return agent.tools.map(toolSpec);
}

export const COMPACTION_INSTRUCTIONS =
  'You compact a conversation between a user and an assistant that uses tools. Write a faithful summary that keeps ' +
  'every fact, decision, open question, commitment, name, number and tool outcome the assistant may need later. ' +
  'Plain prose, no preamble.';

const defaultSummarizers = new WeakSet<Summarizer>();

function defaultSummarizer(model: Model): Summarizer {
  const summarizer = modelSummarizer(model);
  defaultSummarizers.add(summarizer);
  return summarizer;
}

/**
 * The agent with its model resolved (and `timing` overridden by the app's settings): what an app
 * serves. The default summarizer follows the model; one the agent brought is kept.
 */
export function withModel(agent: Agent, model: Model, timing: Partial<AgentTiming> = {}): Agent {
  return {
    ...agent,
    model,
    timing: { ...agent.timing, ...timing },
    summarize: defaultSummarizers.has(agent.summarize) ? defaultSummarizer(model) : agent.summarize,
  };
}

/** The default summarizer: one call to the agent's model, without tools. */
export function modelSummarizer(model: Model): Summarizer {
  return async ({ previousSummary, messages, signal }) => {
    const prefix: ModelMessage[] = previousSummary
      ? [{ role: 'user', content: `Summary of the conversation before this part:\n${previousSummary}` }]
      : [];
    const response = await model.generate({
      instructions: COMPACTION_INSTRUCTIONS,
      messages: [...prefix, ...messages, { role: 'user', content: 'Summarize the conversation above.' }],
      tools: [],
      signal,
      sessionKey: 'compaction',
    });
    return { text: response.text, usage: response.usage };
  };
}
