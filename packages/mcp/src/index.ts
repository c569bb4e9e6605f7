export { IDEMPOTENCY_META_KEY, McpServerError } from './mcp-connection.js';
export { type McpHeaderContext, type McpHeaders, type McpServerOptions, mcpServer } from './mcp-server.js';
export { type McpToolConfig, toolPolicy } from './mcp-tool.js';
