import {
  createBaton,
  defineAgent,
  type Model,
  ModelError,
  type SessionEvent,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { openAICompatibleModel } from '@baton/model-openai';
import { expect } from 'vitest';
import { ExecutionCounter } from '../agent/reliability-agent.js';
import { reliabilityTools } from '../agent/reliability-tools.js';
import { driveToEnd } from '../agent/session-driver.js';
import { faultCase, isFault, type ModelReply, startModelFaultServer } from '../support/model-fault-server.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { auditSession } from '../support/transcript.js';

/** A model used through its streaming form: the loop gets the stream's last event, or the stream's error. */
function streamed(model: Model): Model {
  return {
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      for await (const event of model.stream!(request)) if (event.type === 'response') return event.response;
      throw new ModelError('the stream ended without a response', { retryable: true });
    },
  };
}

/** Faults and bad turns, in the order the server serves them; the turns are what the loop sees. */
const BACKLOG: ModelReply[] = [
  { status: 429 },
  { turn: { toolCalls: [{ id: 'bad-json', name: 'lookup', arguments: '{"id":' }] } },
  { status: 500 },
  { status: 500 },
  { status: 500 },
  { turn: { toolCalls: [{ id: 'no-such-tool', name: 'teleport', arguments: '{}' }] } },
  { hang: true },
  { truncated: { text: 'this answer is cut off halfway through' } },
  { malformed: true },
  { noChoices: true },
  { status: 503 },
  {
    turn: {
      toolCalls: [
        { id: 'wrong-type', name: 'charge', arguments: '{"cents":"a lot"}' },
        { id: 'good-lookup', name: 'lookup', arguments: '{"id":3}' },
        { id: 'good-charge', name: 'charge', arguments: '{"cents":5}' },
      ],
    },
  },
  { truncated: { text: 'cut again' } },
  { turn: { text: 'Backlog done.' } },
];

function resultsOf(events: SessionEvent[]): Record<string, string> {
  return Object.fromEntries(
    events.flatMap((event) => (event.kind === 'tool_result' ? [[event.callId, event.outcome]] : [])),
  );
}

/**
 * The real `openai` SDK (Chat Completions, JSON and streaming) against a server that throttles,
 * fails, hangs, cuts streams, answers garbage, empty choices, invalid tool arguments and unknown
 * tools: retryable failures are retried (by the SDK, then by the queue), bad turns are recorded
 * and fed back, a non-retryable failure ends the run as failed, a call cut by the invocation
 * deadline continues in the next invocation, and no session ends crashed or corrupted.
 */
export async function modelFaults(store: SessionStore, kind: string, run: string): Promise<ResultRow> {
  const server = await startModelFaultServer();
  const counter = new ExecutionCounter();
  const client = (timeoutMs: number) =>
    openAICompatibleModel({ baseURL: server.baseURL, model: 'fake-chat', maxRetries: 1, timeoutMs });
  const agent = (name: string, model: Model) =>
    defineAgent({
      name,
      instructions: 'Work through the backlog.',
      model,
      tools: reliabilityTools(counter),
      limits: { maxSteps: 10, compactAfterEvents: 0 },
      timing: { modelCallMs: 500 },
    });
  const baton = createBaton({
    store,
    agents: [
      agent('json', client(300)),
      agent('stream', streamed(client(300))),
      agent('slow', client(10_000)),
    ],
    queue: { enqueue: async () => {} },
    clock: { now: () => Date.now() },
    logger: silentLogger,
  });
  const tenant = `model-${kind}-${run}`;
  let runs = 0;
  let retries = 0;
  const drive = async (
    sessionId: string,
    agentName: string,
    text: string,
    replies: ModelReply[],
    budgetMs = 60_000,
  ) => {
    server.queue.push(...replies);
    const ref = { tenant, sessionId };
    const driven = await driveToEnd(baton, ref, {
      input: { text, dedupeKey: text, agent: agentName },
      retries: 20,
      budgetMs,
    });
    runs += driven.runs;
    retries += driven.retries;
    expect(server.queue, `${sessionId}: replies left unused`).toEqual([]);
    return { ref, events: await store.readEvents(ref), head: await store.readHead(ref) };
  };

  try {
    const expectedResults = {
      'bad-json': 'error',
      'no-such-tool': 'error',
      'wrong-type': 'error',
      'good-lookup': 'ok',
      'good-charge': 'ok',
    };
    const json = await drive('json', 'json', 'process the backlog', BACKLOG);
    expect(resultsOf(json.events)).toEqual(expectedResults);
    expect(json.events.at(-1)).toMatchObject({
      kind: 'run_finished',
      reason: 'completed',
      text: 'Backlog done.',
    });
    const streaming = await drive('stream', 'stream', 'stream the backlog', BACKLOG);
    expect(resultsOf(streaming.events)).toEqual(expectedResults);

    // A request the provider rejects fails the run, recorded; the next message starts afresh.
    const rejected = await drive('rejected', 'json', 'this request is rejected', [{ status: 400 }]);
    expect(rejected.events.at(-2)).toMatchObject({ kind: 'error', code: 'model_error', retryable: false });
    expect(rejected.head).toMatchObject({ status: 'failed', lease: null });
    const recovered = await drive('rejected', 'json', 'try once more', [{ turn: { text: '' } }]);
    // An empty answer is an answer: recorded as such, never a crash.
    expect(recovered.events.at(-1)).toMatchObject({ kind: 'run_finished', reason: 'completed', text: '' });

    // A call still hanging at the invocation deadline continues in the next invocation.
    const slow = await drive(
      'slow',
      'slow',
      'take your time',
      [{ hang: true }, { turn: { text: 'Finally.' } }],
      1_500,
    );
    expect(slow.events.some((event) => event.kind === 'continuation')).toBe(true);
    expect(slow.events.at(-1)).toMatchObject({ kind: 'run_finished', text: 'Finally.' });

    const sessions = [json, streaming, recovered, slow];
    const audits = sessions.map((session) => auditSession(session.head, session.events));
    const charges = counter.executions.filter((execution) => execution.tool === 'charge').length;
    const problems = audits.flatMap((audit) => audit.problems);
    const row: ResultRow = {
      store: kind,
      scenario: 'model faults (openai SDK)',
      runs: runs + retries,
      cases: new Set(server.served.filter(isFault).map(faultCase)).size,
      faults: server.served.filter(isFault).length,
      lost: audits.reduce((sum, audit) => sum + audit.lost, 0),
      duplicates: audits.reduce((sum, audit) => sum + audit.duplicates, 0) + Math.max(0, charges - 2),
      corrupted: problems.length > 0 ? 1 : 0,
      note: `${server.served.length} requests, ${retries} queue retries; JSON and streaming`,
    };
    resultsTable.add(row);
    expect(problems).toEqual([]);
    return row;
  } finally {
    await server.close();
  }
}
