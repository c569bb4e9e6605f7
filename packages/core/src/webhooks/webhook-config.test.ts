import { describe, expect, it } from 'vitest';
import { agentWebhooks, webhookEventsProblem, webhookUrlProblem } from './webhook-config.js';

const strict = { allowLocalHttp: false, allowPrivate: false };
const local = { allowLocalHttp: true, allowPrivate: false };

describe('webhookUrlProblem', () => {
  it('accepts a public https URL', () => {
    expect(webhookUrlProblem('https://hooks.example.com/baton?x=1', strict)).toBeNull();
  });

  it('refuses http, other schemes, credentials and non-URLs', () => {
    expect(webhookUrlProblem('http://hooks.example.com/', strict)).toMatch(/https/);
    expect(webhookUrlProblem('ftp://hooks.example.com/', strict)).toMatch(/https/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/', strict)).toMatch(/credentials/);
    expect(webhookUrlProblem('/relative', strict)).toMatch(/absolute/);
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2100)}`, strict)).toMatch(/at most/);
  });

  it('refuses private, loopback, link-local and local names unless allowed', () => {
    for (const url of [
      'https://10.1.2.3/',
      'https://172.20.0.1/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://localhost/',
      'https://metadata.google.internal/',
      'https://100.64.0.1/',
    ]) {
      expect(webhookUrlProblem(url, strict), url).toMatch(/private|https/);
      expect(webhookUrlProblem(url, { allowLocalHttp: false, allowPrivate: true }), url).toBeNull();
    }
  });

  it('allows http to loopback only when local development is allowed', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', strict)).toMatch(/BATON_WEBHOOKS_ALLOW_LOCAL/);
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', local)).toBeNull();
    expect(webhookUrlProblem('http://localhost/hook', local)).toBeNull();
    expect(webhookUrlProblem('http://10.0.0.1/hook', local)).toMatch(/only to 127.0.0.1/);
    expect(webhookUrlProblem('https://10.0.0.1/hook', local)).toMatch(/private/);
  });
});

describe('webhookEventsProblem', () => {
  it('wants a non-empty list of known event types', () => {
    expect(webhookEventsProblem(['run.finished', 'run.failed'])).toBeNull();
    expect(webhookEventsProblem([])).toMatch(/non-empty/);
    expect(webhookEventsProblem('run.finished')).toMatch(/non-empty/);
    expect(webhookEventsProblem(['run.done'])).toMatch(/run.done/);
  });
});

describe('agentWebhooks', () => {
  it("numbers an agent's webhooks and checks them when the agent is defined", () => {
    expect(
      agentWebhooks('jobs', [
        { url: 'https://example.com/h', events: ['run.finished'], secretEnv: 'HOOK_SECRET' },
      ]),
    ).toEqual([
      { id: 'a0', url: 'https://example.com/h', events: ['run.finished'], secretEnv: 'HOOK_SECRET' },
    ]);
    expect(() => agentWebhooks('jobs', [{ url: 'nope', events: ['run.finished'], secretEnv: 'S' }])).toThrow(
      /absolute URL/,
    );
    expect(() =>
      agentWebhooks('jobs', [
        { url: 'https://example.com', events: ['run.finished'], secretEnv: 'not a name' },
      ]),
    ).toThrow(/secretEnv/);
  });
});
