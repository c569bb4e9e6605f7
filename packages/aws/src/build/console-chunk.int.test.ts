import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAwsBundle } from './aws-bundle.js';
import { inputsOf } from './load-path.js';

const REPO = new URL('../../../..', import.meta.url).pathname;
const OUT = join(REPO, 'dist/test-console-chunk');
const CONSOLE = /(^|[\\/])packages[\\/]console[\\/]src[\\/]/;

/** The console ships in every Lambda bundle (BATON_CONSOLE is read at cold start) but loads on first use. */
describe('the console in the Lambda bundles', () => {
  let reports: Awaited<ReturnType<typeof buildAwsBundle>>;
  const metafiles = new Map<string, Metafile>();

  beforeAll(async () => {
    reports = await buildAwsBundle({
      configPath: join(REPO, 'baton.config.ts'),
      outDir: OUT,
      providerPackages: ['@baton/model-openai'],
    });
    for (const report of reports) {
      metafiles.set(report.name, JSON.parse(await readFile(join(OUT, `${report.name}.meta.json`), 'utf8')));
    }
  }, 120_000);
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it('keeps every console file off the cold-start load path and ships the pages in a lazy chunk of the http bundle', () => {
    for (const report of reports) {
      expect(
        inputsOf(metafiles.get(report.name)!, report.loadPath, REPO).filter((path) => CONSOLE.test(path)),
      ).toEqual([]);
    }
    const http = metafiles.get('http')!;
    const shipped = Object.values(http.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([path, input]) => CONSOLE.test(path) && input.bytesInOutput > 0)
        .map(([path]) => path),
    );
    expect(shipped.some((path) => path.endsWith('console-handler.ts'))).toBe(true);
  });
});
