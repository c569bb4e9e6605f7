import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgent, defineBaton, defineTool } from '@baton/core';
import { callTools, reply, ScriptedModel, testApp } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initProject } from './init-command.js';

describe('initProject', () => {
  it('writes a project with start, test and deploy scripts, one agent and its test', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'baton-init-'));
    const { dir, files } = await initProject({ cwd: parent, dir: 'My Agent' });
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'baton.config.ts', 'baton.config.test.ts', 'sst.config.ts']),
    );
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      scripts: Record<string, string>;
    };
    expect(pkg.name).toBe('my-agent');
    expect(pkg.scripts).toMatchObject({ start: 'baton serve', test: 'vitest run' });
    expect(pkg.scripts.deploy).toContain('baton build aws');
    // A project made to be deployed authenticates its callers; the comment names the other modes.
    const config = await readFile(join(dir, 'baton.config.ts'), 'utf8');
    expect(config).toContain('auth: apiKeys(),');
    expect(config).toMatch(/jwt\(.*customAuth\(fn\).*'none'/s);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('npx baton keys create --tenant demo');
  });

  it('refuses to write into a folder that has files', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'baton-init-'));
    await initProject({ cwd: parent, dir: 'app' });
    await expect(initProject({ cwd: parent, dir: 'app' })).rejects.toThrow(/is not empty/);
  });
});

describe('testApp', () => {
  it('runs a user agent on a scripted model through the HTTP API to its answer', async () => {
    const lookup = defineTool({
      name: 'lookup_order',
      description: 'Look an order up.',
      parameters: z.object({ orderId: z.string() }),
      execute: ({ orderId }, { state }) => {
        state.set('orders', [orderId]);
        return { orderId, status: 'shipped' };
      },
    });
    const config = defineBaton({
      agents: [
        defineAgent({ name: 'support', instructions: 'Help.', model: 'openai:gpt-5-mini', tools: [lookup] }),
      ],
    });
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: '42' } }]),
      (request) => reply(`Order 42: ${request.messages.at(-1)?.content}`),
    ]);
    const { state, reply: answer, session } = await testApp(config, { model }).send('chat-1', 'Where is 42?');
    expect(state).toBe('finished');
    expect(answer).toContain('shipped');
    expect(session.toolState).toEqual({ orders: ['42'] });
  });
});
