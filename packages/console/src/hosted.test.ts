import { apiKeys, defineBaton, MemoryStore, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { describe, expect, it } from 'vitest';
import { hostedConsole } from './hosted.js';

const agents = [createExampleAgent(offlineDemoModel())];

function host(env: Record<string, string>, logged: string[] = []) {
  const logger = { ...silentLogger, error: (message: string) => void logged.push(message) };
  return { store: new MemoryStore(), queue: { enqueue: async () => {} }, env, logger, requireAuth: true };
}

describe('hostedConsole', () => {
  it('is off unless BATON_CONSOLE turns it on', () => {
    const definition = defineBaton({ agents, auth: apiKeys() });
    expect(hostedConsole(definition, host({}))).toBeNull();
    expect(hostedConsole(definition, host({ BATON_CONSOLE: 'off' }))).toBeNull();
    const on = hostedConsole(definition, host({ BATON_CONSOLE: 'on' }));
    const paths = on?.app
      .routes()
      .filter((spec) => spec.owner === 'console')
      .map((spec) => spec.path);
    expect(paths).toContain('/console/login');
  });

  it("refuses to serve an app whose auth is 'none', and says why", () => {
    const logged: string[] = [];
    expect(
      hostedConsole(defineBaton({ agents, auth: 'none' }), host({ BATON_CONSOLE: 'on' }, logged)),
    ).toBeNull();
    expect(logged).toEqual([expect.stringContaining("auth is 'none'")]);
  });

  it('keeps the prefix the host strips in the sign-in redirect', async () => {
    const on = hostedConsole(defineBaton({ agents, auth: apiKeys() }), host({ BATON_CONSOLE: 'on' }), {
      prefix: '/api',
    });
    const response = await on!.fetch(
      new Request('https://app.example/console', { headers: { accept: 'text/html' } }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/api/console/login');
  });
});
