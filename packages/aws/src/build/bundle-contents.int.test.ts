import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAwsBundle } from './aws-bundle.js';
import { inputsOf } from './load-path.js';

/** The repository's own app: the example agent, Slack when configured, API keys. */
const REPO = new URL('../../../..', import.meta.url).pathname;
const CONFIG = join(REPO, 'baton.config.ts');
const OUT = join(REPO, 'dist/test-bundle-contents');

const ZOD_LOCALE = /[\\/]zod[\\/]v4[\\/]locales[\\/](?!en\.js)/;
const SLACK = /[\\/]@slack[\\/]|[\\/]packages[\\/]slack[\\/]src[\\/]slack-(http|delivery|web|payloads)\.ts$/;
const OPENAI = /(^|[\\/])node_modules[\\/]openai[\\/]/;
const BEDROCK = /(^|[\\/])node_modules[\\/]@aws-sdk[\\/]client-bedrock-runtime[\\/]|[\\/]model-bedrock[\\/]/;

function shipped(metafile: Metafile): string[] {
  const paths = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return [...new Set(paths)];
}

describe('the Lambda bundles of the repository app', () => {
  let reports: Awaited<ReturnType<typeof buildAwsBundle>>;
  const metafiles = new Map<string, Metafile>();

  beforeAll(async () => {
    reports = await buildAwsBundle({
      configPath: CONFIG,
      outDir: OUT,
      providerPackages: ['@baton/model-openai'],
    });
    for (const report of reports) {
      metafiles.set(report.name, JSON.parse(await readFile(join(OUT, `${report.name}.meta.json`), 'utf8')));
    }
  }, 120_000);
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  /** Inputs with code in some output (the metafile's `inputs` also lists what was shaken away). */
  const everything = (name: string) => shipped(metafiles.get(name)!);
  const onLoadPath = (name: string) => {
    const report = reports.find((r) => r.name === name)!;
    return inputsOf(metafiles.get(name)!, report.loadPath, REPO);
  };

  it('carries no zod locale but English, in any chunk', () => {
    for (const { name } of reports) {
      expect(everything(name).filter((path) => ZOD_LOCALE.test(path))).toEqual([]);
      expect(everything(name).some((path) => /zod[\\/]v4[\\/]locales[\\/]en\.js$/.test(path))).toBe(true);
    }
  });

  it('keeps the Slack client and request handling off the cold-start load path', () => {
    for (const { name } of reports) {
      // The config names slack(): its code ships, in chunks loaded by the first Slack request.
      expect(everything(name).some((path) => SLACK.test(path))).toBe(true);
      expect(onLoadPath(name).filter((path) => SLACK.test(path))).toEqual([]);
    }
  });

  it("loads the configured provider's SDK and no other", () => {
    for (const { name } of reports) {
      expect(onLoadPath(name).some((path) => OPENAI.test(path))).toBe(true);
      expect(everything(name).filter((path) => BEDROCK.test(path))).toEqual([]);
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
      expect(onLoadPath(name).filter((path) => /(^|[\\/])node_modules[\\/]jose[\\/]/.test(path))).toEqual([]);
    }
  });
});

describe('the Lambda bundles of a config on Bedrock', () => {
  it('carry the Bedrock SDK and not the OpenAI SDK', async () => {
    const out = `${OUT}-bedrock`;
    try {
      const [http] = await buildAwsBundle({
        configPath: CONFIG,
        outDir: out,
        providerPackages: ['@baton/model-bedrock'],
      });
      const metafile: Metafile = JSON.parse(await readFile(join(out, 'http.meta.json'), 'utf8'));
      expect(shipped(metafile).filter((path) => OPENAI.test(path))).toEqual([]);
      expect(inputsOf(metafile, http!.loadPath, REPO).some((path) => BEDROCK.test(path))).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
