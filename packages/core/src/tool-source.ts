import type { Agent } from './agent.js';
import type { SessionEvent } from './events.js';
import type { JsonObject } from './json.js';
import type { Logger } from './logger.js';
import type { SessionRef } from './session-ref.js';
import type { Tool } from './tool.js';

/** One tool as a source listed it: plain JSON, recorded in the session's log as it came. */
export interface ListedTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: JsonObject;
  /** The source's hints about the tool (MCP: readOnlyHint, destructiveHint, idempotentHint, ...). */
  annotations?: JsonObject;
}

/** A source's listing as recorded on the first model response that saw it. */
export interface ToolListing {
  source: string;
  /** The source's configuration when it was listed: a listing of another configuration is not used. */
  fingerprint: string;
  tools: ListedTool[];
}

export interface ToolSourceContext {
  /** The session the listing is for: its tenant chooses the credentials. */
  session: SessionRef;
  /** Aborts when the lease is lost or the listing's own time is up. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Tools an agent gets from somewhere else (an MCP server, `@baton/mcp`), resolved per session: the
 * list is fetched once, recorded in the session, and every later invocation builds the same tools
 * from the record without asking again. Core knows nothing of the protocol behind it.
 *
 * @example
 * const source: ToolSource = {
 *   name: 'clock',
 *   fingerprint: 'v1',
 *   list: async () => [{ name: 'now', inputSchema: { type: 'object' } }],
 *   tools: (listed) => listed.map((tool) => nowTool(tool)),
 * };
 * defineAgent({ name: 'helper', instructions: 'Be brief.', toolSources: [source] });
 */
export interface ToolSource {
  /** Unique among the agent's sources: names its listing in the log. */
  readonly name: string;
  /** Changes when the configuration changes in a way that makes a recorded listing stale (its URL). */
  readonly fingerprint: string;
  /** Asks the source for its tools; a throw leaves the session without them until the next invocation. */
  list(context: ToolSourceContext): Promise<ListedTool[]>;
  /** The agent's tools for a listing; no I/O. Tools are executed through their own `execute`. */
  tools(listed: readonly ListedTool[]): Tool[];
}

/** Listings of this invocation not yet recorded, by the session agent that carries their tools. */
const listingsOf = new WeakMap<Agent, ToolListing[]>();

/** The last recorded listing of each source in the live context, by source name. */
function recordedListings(events: readonly SessionEvent[]): Map<string, ToolListing> {
  const found = new Map<string, ToolListing>();
  for (const event of events) {
    if (event.kind !== 'model_response') continue;
    for (const listing of event.toolListings ?? []) found.set(listing.source, listing);
  }
  return found;
}

/**
 * The agent as this session sees it: its own tools plus its sources' tools, from the listing
 * recorded in the live context or, for a source without one (a new session, after a compaction,
 * after its fingerprint changed, after a failed listing), from a listing made now. A source that
 * cannot be listed is left out (logged) and asked again by the next invocation. A tool whose name
 * is taken (by the agent's own or an earlier source's) is left out, the same way every time.
 */
export async function withSourceTools(
  agent: Agent,
  events: readonly SessionEvent[],
  context: ToolSourceContext,
): Promise<Agent> {
  const sources = agent.toolSources ?? [];
  if (sources.length === 0) return agent;
  const recorded = recordedListings(events);
  const fresh: ToolListing[] = [];
  const listings = await Promise.all(
    sources.map(async (source): Promise<ToolListing | null> => {
      const known = recorded.get(source.name);
      if (known && known.fingerprint === source.fingerprint) return known;
      try {
        const listing = {
          source: source.name,
          fingerprint: source.fingerprint,
          tools: await source.list(context),
        };
        fresh.push(listing);
        context.logger.info('listed tool source', { source: source.name, tools: listing.tools.length });
        return listing;
      } catch (error) {
        context.logger.warn('could not list tool source; the run goes on without its tools', {
          source: source.name,
          error,
        });
        return null;
      }
    }),
  );
  const tools = [...agent.tools];
  const names = new Set(tools.map((tool) => tool.name));
  listings.forEach((listing, index) => {
    if (!listing) return;
    for (const tool of sources[index]!.tools(listing.tools)) {
      if (names.has(tool.name)) {
        context.logger.warn('tool source offers a tool whose name is taken; left out', {
          source: listing.source,
          tool: tool.name,
        });
        continue;
      }
      names.add(tool.name);
      tools.push(tool);
    }
  });
  const sessionAgent: Agent = { ...agent, tools };
  listingsOf.set(sessionAgent, fresh);
  return sessionAgent;
}

/**
 * The listings made by this invocation that no model response in `events` records yet: the next
 * model response carries them, so the model's tools are in the log before it can call one.
 */
export function unrecordedListings(agent: Agent, events: readonly SessionEvent[]): ToolListing[] | undefined {
  const fresh = listingsOf.get(agent);
  if (!fresh || fresh.length === 0) return undefined;
  const recorded = recordedListings(events);
  const missing = fresh.filter(
    (listing) => recorded.get(listing.source)?.fingerprint !== listing.fingerprint,
  );
  return missing.length > 0 ? missing : undefined;
}
