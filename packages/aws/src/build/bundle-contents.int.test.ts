import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAwsBundle } from './aws-bundle.js';
import { inputsOf, loadPath } from './load-path.js';

/** The repository's own app: the example agent, Slack when configured, API keys. */
const REPO = new URL('../../../..', import.meta.url).pathname;
const CONFIG = join(REPO, 'baton.config.ts');
const OUT = join(REPO, 'dist/test-bundle-contents');

const ZOD_LOCALE = /[\\/]zod[\\/]v4[\\/]locales[\\/](?!en\.js)/;
/**
 * Slack's Web API client and the modules that answer Slack requests, deliver and run Slack work:
 * loaded by the first Slack request. The channel definition a config names (event routing,
 * payload schemas, signature checks, about 12 KB) is on the load path of a config with slack().
 */
const SLACK =
  /[\\/]@slack[\\/]|(^|[\\/])packages[\\/]slack[\\/]src[\\/]slack-(http|delivery|web|worker)\.ts$/;
const ANY_SLACK = /[\\/]@slack[\\/]|(^|[\\/])packages[\\/]slack[\\/]/;
/** The web console: loaded by its first request when BATON_CONSOLE is on, never at start. */
const CONSOLE = /(^|[\\/])packages[\\/]console[\\/]/;
/**
 * The OpenAI-compatible routes (request parsing, response shapes, their zod schemas): loaded by the
 * first /v1 request. Their route table and error shape stay on the load path (app.fetch answers a
 * refused /v1 request in OpenAI's shape before any route loads).
 */
const OPENAI_API =
  /(^|[\\/])packages[\\/]core[\\/]src[\\/]openai-api[\\/](?!openai-routes-table\.ts$|openai-errors\.ts$)/;
/** The SDK of each model provider package, by the paths of its code. */
const PROVIDER_SDKS = {
  openai: /(^|[\\/])node_modules[\\/]openai[\\/](?!core[\\/]error|internal[\\/]errors)/,
  bedrock: /(^|[\\/])node_modules[\\/]@aws-sdk[\\/]client-bedrock(-agent)?-runtime[\\/]/,
} as const;
type Provider = keyof typeof PROVIDER_SDKS;

/** Inputs with code in some output (the metafile's `inputs` also lists what was shaken away). */
function shipped(metafile: Metafile): string[] {
  const paths = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return [...new Set(paths)];
}

/** The inputs with code in the files a cold start loads (the entry and its static imports). */
function onLoadPath(metafile: Metafile, entry: string, workingDir = REPO): string[] {
  const files = loadPath(metafile, entry, workingDir);
  return inputsOf(metafile, files, workingDir).filter((path) =>
    Object.values(metafile.outputs).some((output) => (output.inputs[path]?.bytesInOutput ?? 0) > 0),
  );
}

/** The providers whose SDK has code among `paths`. */
function providersIn(paths: readonly string[]): Provider[] {
  return (Object.keys(PROVIDER_SDKS) as Provider[]).filter((provider) =>
    paths.some((path) => PROVIDER_SDKS[provider].test(path)),
  );
}

/**
 * What is wrong with a bundle for an app on `provider`, with or without Slack: zod locales other
 * than English anywhere, Slack code anywhere unless configured and on the load path in any case,
 * another provider's SDK anywhere, any SDK on the load path but the configured one's.
 */
function problems(
  metafile: Metafile,
  entry: string,
  app: { provider: Provider; slack: boolean },
  workingDir = REPO,
): string[] {
  const all = shipped(metafile);
  const loaded = onLoadPath(metafile, entry, workingDir);
  const found: string[] = [];
  for (const path of all.filter((p) => ZOD_LOCALE.test(p))) found.push(`zod locale ${path}`);
  if (!app.slack) for (const path of all.filter((p) => ANY_SLACK.test(p))) found.push(`Slack code ${path}`);
  for (const path of loaded.filter((p) => SLACK.test(p))) found.push(`Slack on the load path ${path}`);
  for (const path of loaded.filter((p) => CONSOLE.test(p)))
    found.push(`the console on the load path ${path}`);
  for (const path of loaded.filter((p) => OPENAI_API.test(p)))
    found.push(`the OpenAI-compatible routes on the load path ${path}`);
  for (const other of providersIn(all).filter((p) => p !== app.provider))
    found.push(`the ${other} SDK ships`);
  for (const other of providersIn(loaded).filter((p) => p !== app.provider))
    found.push(`the ${other} SDK is on the load path`);
  return found;
}

const metafileOf = async (dir: string, name: string): Promise<Metafile> =>
  JSON.parse(await readFile(join(dir, `${name}.meta.json`), 'utf8'));

describe('the Lambda bundles of the repository app (Slack configured, OpenAI)', () => {
  let reports: Awaited<ReturnType<typeof buildAwsBundle>>;
  const metafiles = new Map<string, Metafile>();

  beforeAll(async () => {
    reports = await buildAwsBundle({
      configPath: CONFIG,
      outDir: OUT,
      providerPackages: ['@baton/model-openai'],
    });
    for (const report of reports) metafiles.set(report.name, await metafileOf(OUT, report.name));
  }, 120_000);
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  const everything = (name: string) => shipped(metafiles.get(name)!);
  const loaded = (name: string) =>
    onLoadPath(metafiles.get(name)!, reports.find((r) => r.name === name)!.file);

  it('has none of the problems the audit looks for, in any handler', () => {
    expect(reports.map((r) => r.name)).toEqual(['http', 'worker', 'sweeper']);
    for (const { name, file } of reports) {
      expect(problems(metafiles.get(name)!, file, { provider: 'openai', slack: true })).toEqual([]);
    }
  });

  it('carries English among zod locales, and no other', () => {
    for (const { name } of reports) {
      expect(everything(name).filter((path) => ZOD_LOCALE.test(path))).toEqual([]);
      expect(everything(name).some((path) => /zod[\\/]v4[\\/]locales[\\/]en\.js$/.test(path))).toBe(true);
    }
  });

  it('ships the Slack client in chunks a first Slack request loads, none on the load path', () => {
    for (const { name } of reports) {
      expect(everything(name).some((path) => SLACK.test(path))).toBe(true);
      expect(loaded(name).filter((path) => SLACK.test(path))).toEqual([]);
    }
  });

  it('ships the OpenAI SDK, loaded by the first model call: no provider SDK on the load path', () => {
    for (const { name } of reports) {
      expect(providersIn(everything(name))).toEqual(['openai']);
      expect(providersIn(loaded(name))).toEqual([]);
    }
  });

  it('bundles the AWS SDK from its ES modules, shaken, with no CommonJS copy', () => {
    for (const { name } of reports) {
      const sdk = everything(name).filter((path) => /[\\/]@(aws-sdk|smithy)[\\/]/.test(path));
      expect(sdk.length).toBeGreaterThan(0);
      expect(sdk.filter((path) => /[\\/]dist-cjs[\\/]/.test(path))).toEqual([]);
    }
  });

  it('leaves jose out of the load path when no jwt() is configured', () => {
    for (const { name } of reports) {
      expect(loaded(name).filter((path) => /(^|[\\/])node_modules[\\/]jose[\\/]/.test(path))).toEqual([]);
    }
  });

  it('ships the OpenAI-compatible routes in a chunk the first /v1 request loads, none on the load path', () => {
    for (const { name } of reports) {
      expect(everything(name).some((path) => /openai-api[\\/]openai-route\.ts$/.test(path))).toBe(true);
      expect(loaded(name).filter((path) => OPENAI_API.test(path))).toEqual([]);
    }
  });

  it('sets zod jitless at the top of every file it writes', async () => {
    for (const report of reports) {
      for (const file of [report.file, ...report.chunks]) {
        const head = (await readFile(file, 'utf8')).slice(0, 300);
        expect(head, file).toContain('__zod_globalConfig');
      }
    }
  });
});

describe('the Lambda bundles of other apps', () => {
  it('carry the Bedrock SDK, on the load path, and not the OpenAI SDK, for a config on Bedrock', async () => {
    const out = `${OUT}-bedrock`;
    try {
      const [http] = await buildAwsBundle({
        configPath: CONFIG,
        outDir: out,
        providerPackages: ['@baton/model-bedrock'],
      });
      const metafile = await metafileOf(out, 'http');
      expect(problems(metafile, http!.file, { provider: 'bedrock', slack: true })).toEqual([]);
      expect(providersIn(shipped(metafile))).toEqual(['bedrock']);
      expect(providersIn(onLoadPath(metafile, http!.file))).toEqual(['bedrock']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('carry no Slack code at all when the config names no Slack channel', async () => {
    const out = `${OUT}-no-slack`;
    try {
      await mkdir(out, { recursive: true });
      const config = join(out, 'baton.config.ts');
      await writeFile(
        config,
        [
          "import { apiKeys, defineBaton } from '@baton/core';",
          "import { createExampleAgent } from '@baton/example-agent';",
          'export default defineBaton({ agents: [createExampleAgent()], auth: apiKeys() });',
          '',
        ].join('\n'),
      );
      const reports = await buildAwsBundle({
        configPath: config,
        outDir: join(out, 'build'),
        providerPackages: ['@baton/model-openai'],
      });
      for (const report of reports) {
        const metafile = await metafileOf(join(out, 'build'), report.name);
        expect(problems(metafile, report.file, { provider: 'openai', slack: false }, out)).toEqual([]);
        expect(shipped(metafile).filter((path) => ANY_SLACK.test(path))).toEqual([]);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the bundle audit', () => {
  it('finds every problem in a deliberately wrong bundle', async () => {
    const out = `${OUT}-wrong`;
    try {
      await mkdir(out, { recursive: true });
      // zod's `z` imported by name (every locale comes along), the Slack client, both providers'
      // SDKs and the console imported statically: everything the Lambda build must not do.
      const entry = join(out, 'wrong.ts');
      await writeFile(
        entry,
        [
          "import { z } from 'zod';",
          "import { WebClient } from '@slack/web-api';",
          "import OpenAI from 'openai';",
          "import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';",
          "import * as hosted from '@baton/console/hosted';",
          'export const all = [z, WebClient, OpenAI, BedrockRuntimeClient, hosted];',
          '',
        ].join('\n'),
      );
      const result = await build({
        entryPoints: [entry],
        outdir: join(out, 'dist'),
        outExtension: { '.js': '.mjs' },
        nodePaths: [join(REPO, 'node_modules')],
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        conditions: ['@baton/source', 'module'],
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: REPO,
      });
      const file = join(out, 'dist/wrong.mjs');
      const found = problems(result.metafile, file, { provider: 'openai', slack: false });
      expect(found.some((problem) => problem.startsWith('zod locale'))).toBe(true);
      expect(found.some((problem) => problem.startsWith('Slack code'))).toBe(true);
      expect(found.some((problem) => problem.startsWith('Slack on the load path'))).toBe(true);
      expect(found.some((problem) => problem.startsWith('the console on the load path'))).toBe(true);
      expect(found).toContain('the bedrock SDK ships');
      expect(found).toContain('the bedrock SDK is on the load path');
      // And on Bedrock, the OpenAI SDK is the wrong one.
      expect(problems(result.metafile, file, { provider: 'bedrock', slack: true })).toContain(
        'the openai SDK is on the load path',
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
