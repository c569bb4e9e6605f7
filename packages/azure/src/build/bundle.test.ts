import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { assertNoAwsCode, entrySource, ForbiddenCodeError } from './bundle.js';

describe('entrySource', () => {
  it('registers the config with the providers of each package when packages are named', () => {
    expect(entrySource('/work/app/baton.config.ts', ['@baton/model-openai', 'my-models'])).toBe(
      [
        'import definition from "/work/app/baton.config.ts";',
        "import { registerBaton } from '@baton/azure';",
        'import { modelProviders as p0 } from "@baton/model-openai";',
        'import { modelProviders as p1 } from "my-models";',
        'registerBaton(definition, { providers: [...p0, ...p1] });',
        '',
      ].join('\n'),
    );
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
    expect(() => assertNoAwsCode(metafile('baton.config.ts', '@aws-sdk/client-sqs'))).toThrow(
      /AWS SDK code: @aws-sdk\/client-sqs/,
    );
  });

  it('accepts the bundle when only Azure and Baton code went in', () => {
    expect(() =>
      assertNoAwsCode(metafile('node_modules/@azure/storage-queue/dist/esm/index.js')),
    ).not.toThrow();
  });
});
