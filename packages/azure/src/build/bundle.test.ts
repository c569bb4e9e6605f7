import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureBundleReport, assertNoAwsCode, buildAzureApp, ForbiddenCodeError } from './bundle.js';

describe('buildAzureApp', () => {
  let outdir: string;
  let report: AzureBundleReport;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'baton-azure-bundle-'));
    report = await buildAzureApp({ outdir });
  });

  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('writes host.json and a package.json whose main is the bundle', async () => {
    const manifest = JSON.parse(await readFile(join(outdir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'app.mjs' });
    const host = JSON.parse(await readFile(join(outdir, 'host.json'), 'utf8'));
    expect(host).toMatchObject({ version: '2.0', extensionBundle: { version: '[4.*, 5.0.0)' } });
    expect(report.main).toBe(join(outdir, 'app.mjs'));
  });

  it('bundles the Azure SDKs and no AWS SDK when built from the entry', () => {
    expect(report.packages).toEqual(
      expect.arrayContaining(['@azure/functions', '@azure/storage-queue', 'zod']),
    );
    expect(
      report.packages.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/')),
    ).toEqual([]);
  });

  it('registers every function when loaded without node_modules', () => {
    // Outside the Functions host the library only warns for each registration: proof that it ran.
    const run = spawnSync(process.execPath, [join(outdir, 'app.mjs')], {
      cwd: outdir,
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
    for (const name of ['baton-http', 'baton-runs', 'baton-runs-poison', 'baton-sweep']) {
      expect(run.stderr).toContain(`register function "${name}"`);
    }
  });
});

describe('assertNoAwsCode', () => {
  const metafile = (input: string, external?: string): Metafile => ({
    inputs: { [input]: { bytes: 1, imports: [] } },
    outputs: {
      'app.mjs': {
        bytes: 1,
        inputs: {},
        imports: external ? [{ path: external, kind: 'import-statement', external: true }] : [],
        exports: [],
      },
    },
  });

  it('throws when AWS SDK code is an input of the bundle', () => {
    expect(() => assertNoAwsCode(metafile('node_modules/@aws-sdk/client-sqs/dist-es/index.js'))).toThrow(
      ForbiddenCodeError,
    );
  });

  it('throws when the AWS SDK is left external for the runtime to provide', () => {
    expect(() => assertNoAwsCode(metafile('packages/azure/src/entry/app.ts', '@aws-sdk/client-sqs'))).toThrow(
      /AWS SDK code: @aws-sdk\/client-sqs/,
    );
  });

  it('accepts the bundle when only Azure and Baton code went in', () => {
    expect(() =>
      assertNoAwsCode(metafile('node_modules/@azure/storage-queue/dist/esm/index.js')),
    ).not.toThrow();
  });
});
