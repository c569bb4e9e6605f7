import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

/** One execution of a tool as the server saw it. */
export interface McpTestCall {
  tool: string;
  args: Record<string, unknown>;
  /** The request's `_meta` (Baton puts the call's idempotency key there). */
  meta: Record<string, unknown> | undefined;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
}

export interface McpTestTool {
  name: string;
  description?: string;
  /** The arguments as a zod object shape; none for a tool without arguments. */
  inputSchema?: z.ZodRawShape;
  annotations?: ToolAnnotations;
  /** What the tool returns (as structured content and JSON text); a throw is a tool error. Default `{ ok: true }`. */
  run?: (args: Record<string, unknown>, call: McpTestCall) => unknown;
}

export interface McpTestServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  /** Every execution, in the order they started. */
  calls: McpTestCall[];
  /** How many times `tool` was executed. */
  executions(tool: string): number;
  /** How many `tools/list` requests were answered. */
  listings(): number;
  /**
   * The next execution of `tool` waits at a gate: `arrived` resolves when it started (it is counted
   * then), and it returns once `release` is called.
   */
  hold(tool: string): { arrived: Promise<McpTestCall>; release(): void };
  /** Answers every request with this HTTP status (a failing server) until called with null. */
  failWith(status: number | null): void;
  close(): Promise<void>;
}

/**
 * A real MCP server (the official SDK's `McpServer` behind its Streamable HTTP transport, stateless)
 * on 127.0.0.1, with tools a test defines and counts of what it executed.
 *
 * @example
 * const mcp = await startMcpServer([
 *   { name: 'lookup', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true }, run: ({ id }) => ({ id }) },
 * ]);
 * // ... mcpServer({ name: 'crm', url: mcp.url }) ...
 * expect(mcp.executions('lookup')).toBe(1);
 * await mcp.close();
 */
export async function startMcpServer(tools: McpTestTool[]): Promise<McpTestServer> {
  const calls: McpTestCall[] = [];
  const gates = new Map<string, { arrived: (call: McpTestCall) => void; released: Promise<void> }>();
  const open = new Set<ServerResponse>();
  let listings = 0;
  let failing: number | null = null;

  const mcpFor = (headers: Record<string, string>) => {
    const server = new McpServer({ name: 'baton-test', version: '1.0.0' });
    for (const tool of tools) {
      server.registerTool(
        tool.name,
        {
          ...(tool.description ? { description: tool.description } : {}),
          inputSchema: tool.inputSchema ?? {},
          ...(tool.annotations ? { annotations: tool.annotations } : {}),
        },
        async (args: Record<string, unknown>, extra): Promise<CallToolResult> => {
          const call: McpTestCall = { tool: tool.name, args, meta: extra._meta, headers };
          calls.push(call);
          const gate = gates.get(tool.name);
          if (gate) {
            gates.delete(tool.name);
            gate.arrived(call);
            await gate.released;
          }
          const value = (await tool.run?.(args, call)) ?? { ok: true };
          const structured =
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? { structuredContent: value as Record<string, unknown> }
              : {};
          return { content: [{ type: 'text', text: JSON.stringify(value) }], ...structured };
        },
      );
    }
    return server;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    if (failing !== null) {
      response.writeHead(failing, { 'content-type': 'text/plain' }).end('failing on purpose');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (isList(body)) listings++;
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    // Stateless: a server and transport per request, as the SDK's stateless example does.
    const server = mcpFor(headers);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  };

  const http: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const releases: (() => void)[] = [];

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    executions: (tool) => calls.filter((call) => call.tool === tool).length,
    listings: () => listings,
    hold(tool) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      releases.push(release);
      const arrived = new Promise<McpTestCall>((resolve) => gates.set(tool, { arrived: resolve, released }));
      return { arrived, release };
    },
    failWith(status) {
      failing = status;
    },
    async close() {
      for (const release of releases) release();
      for (const response of open) response.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function isList(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (message) =>
      typeof message === 'object' &&
      message !== null &&
      (message as { method?: unknown }).method === 'tools/list',
  );
}
