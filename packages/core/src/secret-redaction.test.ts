import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue } from '../test/kit.js';
import { defineAgent } from './agent.js';
import { deliver } from './app/deliver.js';
import { createBaton } from './baton.js';
import { ModelError } from './errors.js';
import { type HttpRequest, handleHttp } from './http-routes.js';
import { jsonLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';
import { defineTool } from './tool.js';

const OPENAI_KEY = 'sk-proj-Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e';
const SLACK_TOKEN = 'xoxb-2222222222-3333333333333-SeCrEtSlAcKtOkEn';
/** What a provider that echoes the request's headers into its error body says. */
const ECHO = `401 Unauthorized: {"error":"invalid key","request":{"headers":{"Authorization":"Bearer ${OPENAI_KEY}"}}} Authorization: Bearer ${OPENAI_KEY}`;

/** A world whose model and tool fail with text quoting credentials, and whose log lines are kept. */
function world(script: readonly ScriptedStep[] | ((index: number) => never)) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const queue = new ArrayQueue();
  const lines: string[] = [];
  const model = new ScriptedModel(typeof script === 'function' ? (_request, index) => script(index) : script);
  const leaky = defineTool({
    name: 'post_to_slack',
    description: 'posts a message',
    parameters: z.object({}),
    execute: () => {
      throw new Error(
        `slack said invalid_auth for token=${SLACK_TOKEN} (Authorization: Bearer ${SLACK_TOKEN})`,
      );
    },
  });
  const agent = defineAgent({
    name: 'helper',
    instructions: 'test',
    model,
    tools: [leaky],
    limits: { compactAfterEvents: 0 },
  });
  const logger = jsonLogger({ level: 'debug', write: (line) => lines.push(line) });
  const baton = createBaton({ store, agents: [agent], queue, clock, logger });
  const ref = sessionRef('acme', 's1');
  const post = (text: string) => {
    const request: HttpRequest = {
      method: 'POST',
      path: '/sessions/s1/messages',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json', 'x-baton-tenant': 'acme' },
      body: JSON.stringify({ text }),
    };
    return handleHttp(baton, request, { deadline: clock.now() + 600_000 });
  };
  /** Everything a tenant or an operator can read afterwards. */
  const visible = async (...extra: unknown[]) =>
    [
      JSON.stringify((await store.load(ref))?.events),
      JSON.stringify(await baton.session(ref)),
      JSON.stringify(await baton.events(ref)),
      ...lines,
      ...extra.map((value) => JSON.stringify(value)),
    ].join('\n');
  return { baton, store, queue, clock, ref, lines, post, visible };
}

describe('secrets in upstream error text', () => {
  it('are redacted from the events, the session view, the answer and the logs when the model call fails', async () => {
    const w = world([new ModelError(ECHO, { retryable: false, status: 401, provider: 'openai' })]);
    const answer = await w.post('hello');
    expect(answer.body).toMatchObject({ state: 'failed' });
    const seen = await w.visible(answer);
    expect(seen).not.toContain(OPENAI_KEY);
    expect(seen).not.toContain('Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e');
    // The reason stays readable: the code, the status and where the key was.
    const error = (await w.baton.events(w.ref)).find((event) => event.kind === 'error');
    expect(error).toMatchObject({
      code: 'model_error',
      message: expect.stringContaining('401 Unauthorized'),
    });
    expect(JSON.stringify(error)).toContain('Bearer [redacted]');
    expect(w.lines.some((line) => line.includes('model call failed'))).toBe(true);
  });

  it('are redacted from the failure recorded when a retried provider error dead-letters the message', async () => {
    const w = world(() => {
      throw new Error(ECHO);
    });
    await w.baton.submit(w.ref, { text: 'hello', source: 'http' });
    const message = w.queue.messages[0]!.message;
    const disposition = await deliver({ baton: w.baton, channels: [] }, message, {
      deadline: w.clock.now() + 600_000,
      attempt: 3,
      maxAttempts: 3,
    });
    expect(disposition).toMatchObject({ action: 'dead_letter', code: 'model_error' });
    const seen = await w.visible(disposition);
    expect(seen).not.toContain(OPENAI_KEY);
    const error = (await w.baton.events(w.ref)).find((event) => event.kind === 'error');
    expect(error).toMatchObject({ message: expect.stringContaining('[redacted]') });
    expect(w.lines.some((line) => line.includes('"code":"model_error"'))).toBe(true);
  });

  it('are redacted from a failed tool’s result, which the model and the tenant both see', async () => {
    const w = world([callTools([{ name: 'post_to_slack', args: {}, callId: 't1' }]), reply('It failed.')]);
    const answer = await w.post('post it');
    expect(answer.body).toMatchObject({ state: 'finished', reply: 'It failed.' });
    const seen = await w.visible(answer);
    expect(seen).not.toContain(SLACK_TOKEN);
    expect(seen).not.toContain('SeCrEtSlAcKtOkEn');
    const result = (await w.baton.events(w.ref)).find((event) => event.kind === 'tool_result');
    expect(JSON.stringify(result)).toContain('post_to_slack failed: slack said invalid_auth');
    expect(w.lines.some((line) => line.includes('tool failed'))).toBe(true);
  });
});

describe('jsonLogger', () => {
  it('redacts secrets from the message, string fields at any depth, and error messages and stacks', () => {
    const lines: string[] = [];
    const logger = jsonLogger({ write: (line) => lines.push(line), base: { service: 'baton' } });
    const error = new Error(`upstream echoed Authorization: Bearer ${OPENAI_KEY}`);
    logger.error(`call with ${OPENAI_KEY} failed`, {
      error,
      request: { url: `https://api.example/v1?key=${SLACK_TOKEN}`, headers: [`x-api-key: ${OPENAI_KEY}`] },
      attempt: 2,
    });
    logger.child({ token: SLACK_TOKEN }).warn('child line');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(OPENAI_KEY);
      expect(line).not.toContain(SLACK_TOKEN);
    }
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 'error', service: 'baton', attempt: 2 });
    expect(first.error.message).toBe('upstream echoed Authorization: Bearer [redacted]');
    expect(first.error.stack).toContain('[redacted]');
  });

  it('leaves ordinary fields as they are', () => {
    const lines: string[] = [];
    jsonLogger({ write: (line) => lines.push(line) }).info('session busy', {
      session: 'acme/s1',
      tokens: 1024,
      note: 'Bearer tokens expire; monkey=banana',
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: 'session busy',
      session: 'acme/s1',
      tokens: 1024,
      note: 'Bearer tokens expire; monkey=banana',
    });
  });
});
