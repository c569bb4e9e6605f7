/**
 * The app the MCP end-to-end test serves with `baton serve --config`: one agent whose tools all
 * come from the MCP server at MCP_URL (the test's own, on 127.0.0.1), on the environment's model.
 * `refund_order` waits for approval by name; the others take their execution from the server's
 * annotations (`lookup_order` read-only, so idempotent; `create_ticket` destructive, so at most once).
 */
import { defineAgent, defineBaton } from '@baton/core';
import { mcpServer } from '@baton/mcp';

const url = process.env.MCP_URL;
if (!url) throw new Error('MCP_URL must name the MCP server the agent uses');

export default defineBaton({
  agents: [
    defineAgent({
      name: 'shop',
      instructions: 'Help customers with their orders.',
      toolSources: [
        mcpServer({
          name: 'shop',
          url,
          headers: ({ tenant }) => ({ 'x-tenant': tenant }),
          tools: { refund_order: { needsApproval: true } },
        }),
      ],
    }),
  ],
});
