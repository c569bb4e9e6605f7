import type { ApproverPolicy, ListedTool, Tool, ToolSource } from '@baton/core';
import { callTool, listTools, type McpEndpoint } from './mcp-connection.js';
import { listedToolSpec, type McpToolConfig, resultOutput, toolPolicy } from './mcp-tool.js';

/** What the headers of a request may depend on: the session's tenant and the environment, never the model. */
export interface McpHeaderContext {
  tenant: string;
  sessionId: string;
  env: Readonly<Record<string, string | undefined>>;
}

export type McpHeaders =
  | Record<string, string>
  | ((context: McpHeaderContext) => Record<string, string> | Promise<Record<string, string>>);

export interface McpServerOptions {
  /** Names the server in the log and in messages; unique among the agent's tool sources. */
  name: string;
  /** The Streamable HTTP endpoint, e.g. `https://mcp.example.com/mcp`. */
  url: string;
  /** Sent with every request; a function gets the session's tenant, for per-tenant credentials. */
  headers?: McpHeaders;
  /** Per tool, by its MCP name: execution, approval, timeout, approvers; wins over annotations. */
  tools?: Record<string, McpToolConfig>;
  /** Put before every tool name the model sees (`crm_`), when names of two servers could meet. */
  prefix?: string;
  /** Destructive tools (by their annotations) wait for approval unless configured otherwise. Default false. */
  approveDestructive?: boolean;
  /** A call's timeout unless its tool has its own; default 30 s. */
  timeoutMs?: number;
  /** How long listing may take before the run goes on without these tools; default 10 s. */
  listTimeoutMs?: number;
  /** Change it to have every session list the tools again at its next invocation. */
  version?: string;
  /** Who may approve this server's calls, unless a tool has its own. */
  approvers?: ApproverPolicy;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The tools of a remote MCP server (Streamable HTTP) as an agent's tool source: listed once per
 * session and recorded with the first model response that sees them; later invocations use the
 * record. Each call carries its idempotency key in `_meta` (`dev.baton/idempotency-key`); a server
 * that is down is a tool error the model sees, never a failed run.
 *
 * @example
 * defineAgent({
 *   name: 'support',
 *   instructions: 'Help customers.',
 *   toolSources: [
 *     mcpServer({
 *       name: 'crm',
 *       url: 'https://crm.example.com/mcp',
 *       headers: ({ tenant, env }) => ({ authorization: `Bearer ${env[`CRM_TOKEN_${tenant.toUpperCase()}`]}` }),
 *       tools: { refund_order: { needsApproval: true } },
 *     }),
 *   ],
 * });
 */
export function mcpServer(options: McpServerOptions): ToolSource {
  if (!NAME.test(options.name)) {
    throw new Error(`MCP server name ${JSON.stringify(options.name)} must match ${NAME}`);
  }
  const url = new URL(options.url).toString();
  const prefix = options.prefix ?? '';
  const endpoint = async (session: { tenant: string; sessionId: string }): Promise<McpEndpoint> => ({
    server: options.name,
    url,
    headers:
      typeof options.headers === 'function'
        ? await options.headers({ tenant: session.tenant, sessionId: session.sessionId, env: process.env })
        : (options.headers ?? {}),
  });
  const toTool = (listed: ListedTool): Tool => {
    const config = options.tools?.[listed.name];
    const spec = listedToolSpec(prefix, listed);
    const policy = toolPolicy(listed.annotations, config, options.approveDestructive ?? false);
    const approvers = config?.approvers ?? options.approvers;
    const timeoutMs = config?.timeoutMs ?? options.timeoutMs ?? 30_000;
    return {
      name: spec.name,
      description: spec.description,
      parameters: spec.parameters,
      ...(spec.jsonSchema ? { jsonSchema: spec.jsonSchema } : {}),
      execution: policy.execution,
      needsApproval: policy.needsApproval,
      timeoutMs,
      ...(approvers ? { approvers } : {}),
      async execute(args, context) {
        const result = await callTool(
          await endpoint(context.session),
          {
            name: listed.name,
            args: (args ?? {}) as Record<string, unknown>,
            idempotencyKey: context.idempotencyKey,
          },
          { signal: context.signal, timeoutMs },
        );
        return resultOutput(result);
      },
    };
  };
  return {
    name: options.name,
    fingerprint: `${url} ${prefix} ${options.version ?? ''}`,
    async list(context) {
      const timeoutMs = options.listTimeoutMs ?? 10_000;
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      return listTools(await endpoint(context.session), { signal, timeoutMs });
    },
    tools: (listed) => listed.filter((tool) => options.tools?.[tool.name]?.enabled !== false).map(toTool),
  };
}
