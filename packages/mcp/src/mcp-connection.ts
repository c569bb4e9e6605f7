import { BatonError, type JsonObject, type ListedTool, ToolOutcomeUnknownError } from '@baton/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, McpError } from '@modelcontextprotocol/sdk/types.js';

/** The `_meta` key that carries a call's idempotency key to the server (MCP's reverse-DNS prefix form). */
export const IDEMPOTENCY_META_KEY = 'dev.baton/idempotency-key';

/** How long connecting (MCP's initialize handshake) may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Connections kept per process (one per server URL and header set: per tenant when headers differ). */
const MAX_CONNECTIONS = 64;

/**
 * A failure to reach or use an MCP server, naming the server and its URL. Inside a tool call it
 * becomes the call's error result; a retry can help (the server may be back).
 */
export class McpServerError extends BatonError {
  constructor(server: string, url: string, what: string, cause: unknown) {
    const reason = cause instanceof Error ? describe(cause) : String(cause);
    super('mcp_server', `MCP server "${server}" (${url}) ${what}: ${reason}`, {
      retryable: true,
      status: 502,
      cause,
      details: { server, url },
    });
  }
}

function describe(error: Error): string {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

export interface McpEndpoint {
  /** The source's name, for messages. */
  server: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * Connected clients by URL and headers, reused across calls and invocations of this process (a warm
 * Lambda keeps them), so a call costs one request instead of a handshake. A client that failed is
 * dropped: the next call connects again.
 */
const clients = new Map<string, Promise<Client>>();

function keyOf(endpoint: McpEndpoint): string {
  const headers = Object.entries(endpoint.headers).sort(([a], [b]) => a.localeCompare(b));
  return `${endpoint.url}\n${JSON.stringify(headers)}`;
}

async function connect(endpoint: McpEndpoint): Promise<Client> {
  const client = new Client({ name: 'baton', version: '0.1.0' });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
    requestInit: { headers: endpoint.headers },
  });
  await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
  return client;
}

/** Runs `work` with a connected client; a failure drops the client so the next use reconnects. */
async function withClient<T>(endpoint: McpEndpoint, work: (client: Client) => Promise<T>): Promise<T> {
  const key = keyOf(endpoint);
  let connecting = clients.get(key);
  if (!connecting) {
    if (clients.size >= MAX_CONNECTIONS) drop(clients.keys().next().value!);
    connecting = connect(endpoint);
    clients.set(key, connecting);
  }
  try {
    return await work(await connecting);
  } catch (error) {
    if (clients.get(key) === connecting) drop(key);
    throw error;
  }
}

function drop(key: string): void {
  const connecting = clients.get(key);
  clients.delete(key);
  void connecting?.then((client) => client.close()).catch(() => undefined);
}

/** Every tool the server offers, all pages. */
export async function listTools(
  endpoint: McpEndpoint,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<ListedTool[]> {
  try {
    return await withClient(endpoint, async (client) => {
      const listed: ListedTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, {
          signal: options.signal,
          timeout: options.timeoutMs,
        });
        for (const tool of page.tools) {
          listed.push({
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            inputSchema: tool.inputSchema as JsonObject,
            ...(tool.annotations ? { annotations: tool.annotations as JsonObject } : {}),
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      return listed;
    });
  } catch (error) {
    throw new McpServerError(endpoint.server, endpoint.url, 'could not list its tools', error);
  }
}

/** Calls one tool with the call's idempotency key in `_meta`; the server's own result, unconverted. */
export async function callTool(
  endpoint: McpEndpoint,
  call: { name: string; args: Record<string, unknown>; idempotencyKey: string },
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<CallToolResult> {
  let sent = false;
  try {
    return await withClient(endpoint, async (client) => {
      sent = true;
      const result = await client.callTool(
        { name: call.name, arguments: call.args, _meta: { [IDEMPOTENCY_META_KEY]: call.idempotencyKey } },
        undefined,
        // The SDK's own timeout after the tool's: Baton's timeout decides the outcome (unknown for at-most-once).
        { signal: options.signal, timeout: options.timeoutMs + 1_000 },
      );
      return 'toolResult' in result
        ? { content: [{ type: 'text', text: JSON.stringify(result.toolResult) }] }
        : (result as CallToolResult);
    });
  } catch (error) {
    const failure = new McpServerError(endpoint.server, endpoint.url, `failed on ${call.name}`, error);
    // An at-most-once call whose request may have reached the server is recorded unknown, not error.
    if (sent && mayHaveActed(error)) throw new ToolOutcomeUnknownError(failure.message, { cause: failure });
    throw failure;
  }
}

/**
 * Whether a failed call may still have taken effect: not when the server answered with a JSON-RPC
 * error or a 4xx, nor when the connection was refused; yes for a 5xx or a connection cut mid-request.
 */
function mayHaveActed(error: unknown): boolean {
  if (error instanceof McpError) return false;
  if (error instanceof StreamableHTTPError) return error.code === undefined || error.code >= 500;
  return (error as { cause?: { code?: unknown } } | null)?.cause?.code !== 'ECONNREFUSED';
}
