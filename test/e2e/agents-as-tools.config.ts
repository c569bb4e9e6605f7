/**
 * The app test/e2e/agents-as-tools.test.ts serves with `baton serve --config`: a `writer` agent
 * that calls the `researcher` agent as a tool (issue 18, agents as tools), and the researcher's
 * `publish` tool, which a person must approve and which appends a line per execution to the ledger
 * AGENTS_LEDGER, outside the store, so the test counts executions across SIGKILLs.
 *
 * AGENTS_CRASH names a point of the hand-off where this process kills itself with SIGKILL, once
 * (AGENTS_CRASH_MARK is created when it does): right after the SQLite commit that creates the child
 * (`child-created`), that records the parent's call as waiting for it (`parent-intent`), or that
 * finishes the child (`child-finished`, before the parent records the result). The store is the
 * host's own SqliteStore; its `commit` is wrapped here because a config is loaded before the host
 * opens its store.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import {
  agentTool,
  type CommitRequest,
  defineAgent,
  defineBaton,
  defineTool,
  type Model,
  type ModelRequest,
  type ModelResponse,
} from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { z } from 'zod';

const ledger = process.env.AGENTS_LEDGER;
if (!ledger) throw new Error('AGENTS_LEDGER must name the execution ledger file');
const crash = process.env.AGENTS_CRASH;
const mark = process.env.AGENTS_CRASH_MARK;

function crashesAfter(request: CommitRequest): boolean {
  const kinds = request.events.map((event) => event.kind);
  const child = request.ref.sessionId.startsWith('agent:');
  if (crash === 'child-created')
    return child && request.events.some((e) => e.kind === 'input' && e.source === 'agent');
  if (crash === 'parent-intent')
    return !child && request.events.some((e) => e.kind === 'tool_intent' && e.child);
  if (crash === 'child-finished') return child && kinds.includes('run_finished');
  return false;
}

if (crash && mark && !existsSync(mark)) {
  const commit = SqliteStore.prototype.commit;
  SqliteStore.prototype.commit = async function (this: SqliteStore, request: CommitRequest) {
    await commit.call(this, request);
    if (crashesAfter(request) && !existsSync(mark)) {
      writeFileSync(mark, `${crash}\n`);
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    }
  };
}

/** A deterministic model: `decide` picks the answer from the conversation so far. */
function scripted(
  name: string,
  decide: (request: ModelRequest) => Omit<ModelResponse, 'usage' | 'model'>,
): Model {
  return {
    provider: 'scripted',
    modelId: name,
    async generate(request) {
      appendFileSync(ledger!, `${JSON.stringify({ model: name })}\n`);
      return { ...decide(request), usage: { inputTokens: 10, outputTokens: 5 }, model: name };
    },
  };
}

function lastTool(request: ModelRequest): string | undefined {
  const last = request.messages.at(-1);
  return last?.role === 'tool' ? last.content : undefined;
}

const publish = defineTool({
  name: 'publish',
  description: 'Publish the findings; a person approves it first; never run twice.',
  parameters: z.object({ title: z.string().min(1) }),
  needsApproval: true,
  execution: 'at-most-once',
  execute: ({ title }, context) => {
    appendFileSync(ledger, `${JSON.stringify({ tool: 'publish', title, key: context.idempotencyKey })}\n`);
    return { published: title };
  },
});

const researcher = defineAgent({
  name: 'researcher',
  instructions: 'Find facts, publish them, answer with them.',
  model: scripted('researcher', (request) => {
    const result = lastTool(request);
    if (result !== undefined)
      return { text: 'Otters hold hands while they sleep.', toolCalls: [], stopReason: 'end' };
    return {
      text: '',
      toolCalls: [{ callId: 'p1', name: 'publish', arguments: JSON.stringify({ title: 'otters' }) }],
      stopReason: 'tool_calls',
    };
  }),
  tools: [publish],
});

const writer = defineAgent({
  name: 'writer',
  instructions: 'Ask the researcher, then write.',
  model: scripted('writer', (request) => {
    const result = lastTool(request);
    if (result !== undefined) return { text: `Report: ${result}`, toolCalls: [], stopReason: 'end' };
    return {
      text: '',
      toolCalls: [
        { callId: 'r1', name: 'researcher', arguments: JSON.stringify({ input: 'facts about otters' }) },
      ],
      stopReason: 'tool_calls',
    };
  }),
  tools: [agentTool('researcher', { description: 'Finds facts about a topic.' })],
});

export default defineBaton({ agents: [writer, researcher] });
