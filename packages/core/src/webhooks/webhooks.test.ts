import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ArrayQueue } from '../../test/kit.js';
import { defineAgent } from '../agent.js';
import { createBaton } from '../baton.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import type { Model } from '../model.js';
import { sessionRef } from '../session-ref.js';
import type { CommitRequest } from '../store.js';
import { readWebhookOutbox } from './webhook-outbox.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const ref = sessionRef('acme', 'job-1');
const SECRET = 'whsec_test';

const answer: Model = {
  provider: 'scripted',
  modelId: 'scripted',
  generate: async () => ({
    text: 'report ready',
    toolCalls: [],
    usage: { inputTokens: 1, outputTokens: 1 },
    stopReason: 'end',
    model: 'scripted',
  }),
};

class CountingStore extends MemoryStore {
  commits = 0;
  override async commit(request: CommitRequest): Promise<void> {
    this.commits++;
    return super.commit(request);
  }
}

interface Received {
  eventId: string | undefined;
  attempt: string | undefined;
  body: string;
  signature: string | undefined;
}

/** A receiver on 127.0.0.1 that answers 500 to the first `failures` requests, then 200. */
async function receiver(failures: number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({
        eventId: request.headers['baton-event-id'] as string | undefined,
        attempt: request.headers['baton-attempt'] as string | undefined,
        signature: request.headers['baton-signature'] as string | undefined,
        body,
      });
      response.statusCode = received.length <= failures ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function setup(url: string | null, options: { maxAttempts?: number } = {}) {
  const store = new CountingStore();
  const clock = new ManualClock();
  const queue = new ArrayQueue();
  const agent = defineAgent({
    name: 'jobs',
    instructions: 'do the job',
    model: answer,
    timing: { modelCallMs: 1_000 },
    ...(url
      ? { webhooks: [{ url, events: ['run.finished', 'run.failed'], secretEnv: 'JOBS_HOOK_SECRET' }] }
      : {}),
  });
  const baton = createBaton({
    store,
    agents: [agent],
    queue,
    clock,
    logger: silentLogger,
    webhooks: {
      env: { JOBS_HOOK_SECRET: SECRET },
      allowLocalHttp: true,
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    },
  });
  return { store, clock, queue, baton };
}

/** Runs the queued `outbox` messages the way a worker would, once each is due. */
async function drainOutbox(t: ReturnType<typeof setup>): Promise<number> {
  let runs = 0;
  for (let guard = 0; guard < 50; guard++) {
    const next = t.queue.messages.shift();
    if (!next) break;
    if (next.message.reason !== 'outbox') continue;
    t.clock.advance(next.delayMs);
    const result = await t.baton.handle(next.message, { deadline: t.clock.now() + 30_000 });
    runs++;
    if (result.kind === 'retry_later')
      t.queue.messages.push({ message: next.message, delayMs: result.delayMs });
  }
  return runs;
}

describe('webhooks', () => {
  it('delivers a run.finished once after three failed attempts, every attempt signed and visible', async () => {
    const hook = await receiver(3);
    servers.push(hook.server);
    const t = setup(hook.url);
    await t.baton.converse(
      ref,
      { text: 'build the report', source: 'queue' },
      { deadline: t.clock.now() + 30_000 },
    );
    expect(hook.received).toHaveLength(1);
    await drainOutbox(t);

    expect(hook.received).toHaveLength(4);
    expect(hook.received.map((r) => r.attempt)).toEqual(['1', '2', '3', '4']);
    const ids = new Set(hook.received.map((r) => r.eventId));
    expect(ids.size).toBe(1);
    for (const request of hook.received) {
      const check = verifyWebhookSignature({
        body: request.body,
        header: request.signature,
        secret: SECRET,
        now: Math.floor(t.clock.now() / 1000),
        toleranceSeconds: 3600,
      });
      expect(check.ok).toBe(true);
      expect(request.body).toBe(hook.received[0]!.body);
    }
    const body = JSON.parse(hook.received[0]!.body);
    expect(body).toMatchObject({
      type: 'run.finished',
      session: { tenant: 'acme', id: 'job-1', agent: 'jobs' },
      data: { reason: 'completed', text: 'report ready' },
    });
    expect(body.id).toBe(hook.received[0]!.eventId);

    const events = await t.baton.events(ref);
    const [entry, ...others] = readWebhookOutbox(events);
    expect(others).toHaveLength(0);
    expect(entry!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(entry!.attempts.map((a) => a.retryAt - a.at)).toEqual([1_000, 2_000, 4_000]);
    expect(entry!.sent).toEqual({ status: 200, attempt: 4 });
    expect(events.filter((event) => event.kind === 'outbox_sent')).toHaveLength(1);
    // The entry rode in the run_finished commit.
    const finished = events.find((event) => event.kind === 'run_finished')!;
    const outbox = events.find((event) => event.kind === 'outbox')!;
    expect(outbox.seq).toBe(finished.seq + 1);
    expect(outbox.at).toBe(finished.at);
    // A late duplicate of the outbox message sends nothing more.
    await t.baton.handle(
      { v: 1, tenant: 'acme', sessionId: 'job-1', reason: 'outbox', dedupeKey: 'again' },
      { deadline: t.clock.now() + 30_000 },
    );
    expect(hook.received).toHaveLength(4);
  });

  it('costs one write per delivered event and none for a session without webhooks', async () => {
    const plain = setup(null);
    await plain.baton.converse(ref, { text: 'hi', source: 'http' }, { deadline: plain.clock.now() + 30_000 });
    const hook = await receiver(0);
    servers.push(hook.server);
    const hooked = setup(hook.url);
    await hooked.baton.converse(
      ref,
      { text: 'hi', source: 'http' },
      { deadline: hooked.clock.now() + 30_000 },
    );
    expect(hook.received).toHaveLength(1);
    expect(hooked.store.commits).toBe(plain.store.commits + 1);
    expect(plain.queue.messages.filter((m) => m.message.reason === 'outbox')).toHaveLength(0);
  });

  it('gives up after maxAttempts and records it', async () => {
    const hook = await receiver(100);
    servers.push(hook.server);
    const t = setup(hook.url, { maxAttempts: 3 });
    await t.baton.converse(ref, { text: 'go', source: 'queue' }, { deadline: t.clock.now() + 30_000 });
    await drainOutbox(t);
    expect(hook.received).toHaveLength(3);
    const [entry] = readWebhookOutbox(await t.baton.events(ref));
    expect(entry!.attempts).toHaveLength(2);
    expect(entry!.sent).toMatchObject({ gaveUp: true, attempt: 3, status: 500 });
  });

  it('sends a session-registered webhook signed with the secret it returned', async () => {
    const hook = await receiver(0);
    servers.push(hook.server);
    const t = setup(null);
    await t.baton.converse(ref, { text: 'first', source: 'http' }, { deadline: t.clock.now() + 30_000 });
    const registered = await t.baton.registerWebhook(ref, { url: hook.url, events: ['run.finished'] });
    await t.baton.converse(ref, { text: 'second', source: 'http' }, { deadline: t.clock.now() + 30_000 });
    expect(hook.received).toHaveLength(1);
    const check = verifyWebhookSignature({
      body: hook.received[0]!.body,
      header: hook.received[0]!.signature,
      secret: registered.secret,
      now: Math.floor(t.clock.now() / 1000),
    });
    expect(check.ok).toBe(true);
  });

  it('sends an entry whose first sender crashed once its claim has passed', async () => {
    const hook = await receiver(0);
    servers.push(hook.server);
    const t = setup(hook.url);
    // The run's own sending is lost, as if the invocation died right after the commit.
    (t.baton.webhooks as unknown as { afterCommit: () => Promise<void> }).afterCommit = async () => {};
    await t.baton.converse(ref, { text: 'go', source: 'queue' }, { deadline: t.clock.now() + 30_000 });
    expect(hook.received).toHaveLength(0);
    // The worker's net: an outbox message for the session (the input's safety-net run would deliver later too).
    t.queue.messages.push({
      message: { v: 1, tenant: 'acme', sessionId: 'job-1', reason: 'outbox', dedupeKey: 'net' },
      delayMs: 1_000,
    });
    await drainOutbox(t);
    expect(hook.received).toHaveLength(1);
  });
});
