import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createBaton, defineAgent, type Model, silentLogger } from '@baton/core';
import { offlineDemoModel } from '@baton/example-agent';
import { APPROVE_ACTION, createSlackChannel, handleSlackHttp, slackSessionRef } from '@baton/slack';
import { blockActionsBody, mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  SIGNING_SECRET,
  type SlackLambdaWorld,
  slackLambdaWorld,
} from './test-support/slack-lambda-world.js';
import { type SqsEmulator, startSqsEmulator } from './test-support/sqs-emulator.js';

const THREAD = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: THREAD });

/** The offline demo model, answering only once `release` was called. */
function gatedModel(): { model: Model; calls: () => number; release: () => void } {
  const inner = offlineDemoModel();
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const model: Model = {
    ...inner,
    generate: async (request) => {
      calls++;
      await gate;
      return inner.generate(request);
    },
    // Agents stream by default: the streamed call waits at the same gate.
    async *stream(request) {
      calls++;
      await gate;
      yield* inner.stream!(request);
    },
  };
  return { model, calls: () => calls, release };
}

function buttons(blocks: unknown): { action_id: string; value: string }[] {
  const list = (blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[];
  return list.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

describe('Slack on the Lambda handlers (API Gateway v2 + SQS on fauxqs, DynamoDB Local)', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  let world: SlackLambdaWorld | undefined;

  beforeAll(async () => {
    sqs = await startSqsEmulator();
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  afterAll(async () => {
    dynamodb.destroy();
    await sqs.stop();
  });

  it('acknowledges a mention before the model answers, then the worker turns its placeholder into the reply', async () => {
    const gated = gatedModel();
    world = await slackLambdaWorld(sqs, dynamodb, { model: gated.model });
    const ack = await world.post(mentionBody({ eventId: 'Ev1', text: 'hello there', ts: THREAD }));
    expect(ack).toMatchObject({ statusCode: 200, body: JSON.stringify({ ok: true, duplicate: false }) });
    expect(gated.calls()).toBe(0);
    expect(world.api.calls).toEqual([]);

    gated.release();
    const { event, response } = await world.work();
    expect(event.Records.map((record) => JSON.parse(record.body).reason)).toEqual(['input']);
    expect(response.batchItemFailures).toEqual([]);
    const [placeholder] = world.api.callsTo('chat.postMessage');
    expect(placeholder?.args).toMatchObject({
      channel: 'C0CHAN',
      thread_ts: THREAD,
      text: expect.stringContaining('Working'),
    });
    // Progress rewrites of the placeholder (the text so far) may come first; the answer is the last.
    const updates = world.api.callsTo('chat.update').map((call) => String(call.args.text));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.at(-1)).toContain('You said: hello there');
    expect(world.api.thread('C0CHAN', THREAD).map((message) => message.text)).toEqual([
      expect.stringContaining('You said: hello there'),
    ]);
  });

  it('answers 401 and records nothing when a request is unsigned, stale or altered after signing', async () => {
    world = await slackLambdaWorld(sqs, dynamodb, { model: offlineDemoModel() });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const answers = [
      await world.post(body, { headers: { 'content-type': 'application/json' } }),
      await world.post(body, { signedAt: world.clock.now() - 6 * 60_000 }),
      await world.post(body, { sentBody: body.replace('hello', 'transfer all the money') }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([401, 401, 401]);
    expect(await world.handlers.app.baton.store.readHead(ref)).toBeNull();
    expect(await sqs.inspect(world.queue)).toMatchObject({ ready: [], delayed: [], inflight: [] });
  });

  it('records nothing new and posts nothing new when Slack retries a delivered event', async () => {
    world = await slackLambdaWorld(sqs, dynamodb, { model: offlineDemoModel() });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    await world.post(body);
    await world.drain();
    const events = await world.handlers.app.baton.events(ref);
    const calls = world.api.calls.length;

    for (const retryNum of [1, 2, 3]) {
      const retry = await world.post(body, { retryNum });
      expect(JSON.parse(retry.body ?? '')).toEqual({ ok: true, duplicate: true });
    }
    await world.drain();
    expect(await world.handlers.app.baton.events(ref)).toEqual(events);
    expect(world.api.calls).toHaveLength(calls);
    expect(world.api.thread('C0CHAN', THREAD)).toHaveLength(1);
  });

  it('runs the approval round trip when the Approve button of an approval-gated tool is clicked', async () => {
    world = await slackLambdaWorld(sqs, dynamodb, { model: offlineDemoModel() });
    await world.post(
      mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Quarterly report', ts: THREAD }),
    );
    await world.drain();
    expect((await world.handlers.app.baton.session(ref)).status).toBe('waiting_approval');
    const approval = world.api.messages.find((message) => buttons(message.blocks).length > 0)!;
    expect(approval.thread_ts).toBe(THREAD);
    const [approve] = buttons(approval.blocks);
    expect(approve?.action_id).toBe(APPROVE_ACTION);

    const click = blockActionsBody({
      actionId: APPROVE_ACTION,
      value: approve!.value,
      user: 'UBOSS',
      messageTs: approval.ts,
      threadTs: THREAD,
    });
    const clicked = await world.post(click, { path: '/slack/interactivity' });
    expect(clicked.statusCode).toBe(200);
    await world.drain();

    const session = await world.handlers.app.baton.session(ref);
    expect(session).toMatchObject({
      status: 'idle',
      toolState: { sent: ['bob@example.com: Quarterly report'] },
    });
    expect(approval.text).toContain('Approved');
    expect(buttons(approval.blocks)).toEqual([]);
    expect(world.api.thread('C0CHAN', THREAD).at(-1)?.text).toContain('Done.');
  });

  it('shows the failure in the thread when a Slack session’s run message is poison', async () => {
    world = await slackLambdaWorld(sqs, dynamodb, { model: offlineDemoModel() });
    // A session of an agent this deployment no longer serves: a retry cannot help.
    const { baton } = world.handlers.app;
    const retired = createBaton({
      store: baton.store,
      queue: baton.queue,
      clock: baton.clock,
      agents: [defineAgent({ name: 'retired', instructions: 'gone', model: offlineDemoModel() })],
      logger: silentLogger,
    });
    const old = createSlackChannel({
      baton: retired,
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-test-token',
    });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const now = baton.clock.now();
    expect(
      (await handleSlackHttp(old, signedSlackRequest(body, { secret: SIGNING_SECRET, now }), now)).status,
    ).toBe(200);

    const { event, response } = await world.work();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    expect((await baton.session(ref)).status).toBe('failed');
    expect(world.api.thread('C0CHAN', THREAD).map((message) => message.text)).toEqual([
      expect.stringContaining('could not finish this request (unknown_agent)'),
    ]);
  });
});
