import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureBundleReport, buildAzureApp, METAFILE } from './bundle.js';

const REPO_NODE_MODULES = resolve(import.meta.dirname, '../../../../node_modules');

/** A user's project outside the repository: its own agent and tool, Baton installed in node_modules. */
const CONFIG = `
import { defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';

const tideTable = defineTool({
  name: 'lookup_tide_table',
  description: 'High and low tide of a harbour.',
  parameters: z.object({ harbour: z.string() }),
  execute: ({ harbour }) => ({ harbour, high: '06:12', low: '12:31' }),
});

export default defineBaton({
  agents: [defineAgent({ name: 'harbour-master', instructions: 'Answer about tides.', tools: [tideTable] })],
  auth: 'none',
});
`;

describe('buildAzureApp', () => {
  let project: string;
  let report: AzureBundleReport;
  let bundle: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'baton-azure-project-'));
    await symlink(REPO_NODE_MODULES, join(project, 'node_modules'), 'dir');
    await mkdir(join(project, 'src'));
    await writeFile(join(project, 'src', 'baton.config.ts'), CONFIG);
    report = await buildAzureApp({
      configPath: join(project, 'src', 'baton.config.ts'),
      providerPackages: ['@baton/model-openai'],
      conditions: ['@baton/source'],
    });
    bundle = await readFile(report.main, 'utf8');
  });

  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('writes the app folder next to the config when no outDir is given', async () => {
    expect(report.outDir).toBe(join(project, 'src', '.baton', 'build', 'azure'));
    const manifest = JSON.parse(await readFile(join(report.outDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'app.mjs' });
    expect(manifest.dependencies).toBeUndefined();
    const host = JSON.parse(await readFile(join(report.outDir, 'host.json'), 'utf8'));
    expect(host).toMatchObject({ version: '2.0', extensionBundle: { version: '[4.*, 5.0.0)' } });
  });

  it("bundles the user's agent and tool and not the example agent when built from their config", () => {
    expect(bundle).toContain('lookup_tide_table');
    expect(bundle).toContain('harbour-master');
    expect(bundle).not.toContain('create_ticket');
  });

  it('bundles the Azure SDKs and no AWS SDK code', () => {
    expect(report.packages).toEqual(
      expect.arrayContaining(['@azure/functions', '@azure/storage-queue', 'zod']),
    );
    expect(report.packages.filter((name) => /^@(aws-sdk|smithy)\//.test(name))).toEqual([]);
    expect(bundle).not.toContain('@aws-sdk/');
  });

  it('ships no module of an Azure SDK that nothing uses, as the SDKs declare (sideEffects: false)', async () => {
    const metafile = JSON.parse(await readFile(join(report.outDir, METAFILE), 'utf8')) as Metafile;
    const shipped = Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    );
    // The Storage SDK's CRC64 calculator and structured messages (blob uploads): 85 KB the queue never runs.
    expect(shipped.filter((path) => /storage-common[\\/].*(crc64|StructuredMessage)/i.test(path))).toEqual(
      [],
    );
    // What the app does use still ships.
    expect(shipped.some((path) => /storage-queue[\\/]dist[\\/]esm[\\/]QueueClient\.js$/.test(path))).toBe(
      true,
    );
    expect(shipped.some((path) => /cosmos[\\/]dist[\\/]esm[\\/]CosmosClient\.js$/.test(path))).toBe(true);
  });

  it('registers every function when loaded by plain Node without node_modules', () => {
    // Outside the Functions host the library only warns for each registration: proof that it ran.
    const run = spawnSync(process.execPath, [report.main], {
      cwd: report.outDir,
      env: {
        PATH: process.env.PATH,
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        BATON_LOG_LEVEL: 'error',
        BATON_STORE: 'memory',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const names = ['baton-channel-slack', 'baton-healthz', 'baton-http', 'baton-runs', 'baton-runs-poison'];
    for (const name of [...names, 'baton-sweep']) {
      expect(run.stderr).toContain(`register function "${name}"`);
    }
  });

  it('refuses an output folder that holds the config', async () => {
    await expect(
      buildAzureApp({ configPath: join(project, 'src', 'baton.config.ts'), outDir: '..' }),
    ).rejects.toThrow(/holds the config/);
  });
});
