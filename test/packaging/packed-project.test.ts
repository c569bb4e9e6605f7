import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDir, installTarballs, packAll, serve, sh, userEnv } from './packed-project.js';

/** A user's own agent, with a tool the example agent does not have. */
const USER_CONFIG = `import { defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';

const getWeather = defineTool({
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: z.object({ city: z.string().min(1) }),
  execute: ({ city }) => ({ city, forecast: 'sunny-and-mild' }),
});

export default defineBaton({
  agents: [defineAgent({ name: 'forecaster', instructions: 'Tell the weather.', tools: [getWeather] })],
});
`;

const THE_SERVED = ['@baton/core', '@baton/dev', '@baton/aws', '@baton/azure'];

/**
 * Baton as a user gets it: every public package packed with npm pack, installed from the tarballs
 * into a folder outside the repository, and run with plain Node (no tsx, no source conditions).
 */
describe('Baton installed from its packages', () => {
  let tarballs: Map<string, string>;
  let project: string;

  beforeAll(async () => {
    tarballs = await packAll();
    project = await freshDir('weather-app');
    await writeFile(join(project, 'baton.config.ts'), USER_CONFIG);
    await installTarballs(project, tarballs, THE_SERVED, { zod: '^4.1.0' });
  }, 1_200_000);

  afterAll(() => undefined);

  it('packs every public package', () => {
    expect([...tarballs.keys()].sort()).toEqual(
      [
        'aws',
        'azure',
        'console',
        'core',
        'dev',
        'mcp',
        'model-bedrock',
        'model-openai',
        'slack',
        'store-cosmos',
        'store-dynamodb',
        'store-sqlite',
        'testing',
      ]
        .map((name) => `@baton/${name}`)
        .sort(),
    );
  });

  it('serves the user agent with npx baton serve and answers a message that calls its own tool', async () => {
    const server = await serve(project);
    try {
      expect(server.output()).toContain('offline demo model');
      const response = await fetch(`${server.url}/sessions/w1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'weather Paris' }),
      });
      const body = (await response.json()) as { state: string; reply: string; session: { agent: string } };
      expect(response.status).toBe(200);
      expect(body.state).toBe('finished');
      expect(body.session.agent).toBe('forecaster');
      expect(body.reply).toContain('get_weather');
      expect(body.reply).toContain('sunny-and-mild');
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('bundles the user agent, and no example agent, with npx baton build aws and azure', async () => {
    await sh('npx', ['baton', 'build', 'aws'], { cwd: project });
    await sh('npx', ['baton', 'build', 'azure'], { cwd: project });
    const bundles = [
      join(project, '.baton/build/aws/http/index.mjs'),
      join(project, '.baton/build/aws/worker/index.mjs'),
      join(project, '.baton/build/azure/app.mjs'),
    ];
    for (const file of bundles) {
      const code = await readFile(file, 'utf8');
      expect(code, file).toContain('get_weather');
      expect(code, file).toContain('sunny-and-mild');
      expect(code, file).not.toContain('create_ticket');
    }
  }, 300_000);

  it('gives a one-line error, not a stack trace, for a config without a default export', async () => {
    const broken = await freshDir('broken-app');
    await writeFile(join(broken, 'baton.config.ts'), 'export const nothing = 1;\n');
    const failed = await sh(
      'node',
      [join(project, 'node_modules/@baton/dev/bin/baton.mjs'), 'build', 'aws'],
      {
        cwd: broken,
        env: userEnv(),
      },
    ).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/must `export default defineBaton/);
    expect(failed).not.toMatch(/\n\s+at /);
  });

  it('scaffolds a project with npx baton init whose own npm test passes', async () => {
    const parent = await freshDir('init-parent');
    await sh('node', [join(project, 'node_modules/@baton/dev/bin/baton.mjs'), 'init', 'my-agent'], {
      cwd: parent,
    });
    const scaffold = join(parent, 'my-agent');
    const pkg = JSON.parse(await readFile(join(scaffold, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['start', 'test', 'deploy']));
    // Its test runs in memory and never opens SQLite: skip compiling better-sqlite3 a second time.
    await installTarballs(
      scaffold,
      tarballs,
      ['@baton/core', '@baton/dev', '@baton/testing'],
      {},
      {},
      {
        ignoreScripts: true,
      },
    );
    const { stdout } = await sh('npm', ['test'], { cwd: scaffold });
    expect(stdout).toMatch(/1 passed/);
  }, 900_000);
});
