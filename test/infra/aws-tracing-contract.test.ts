import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADOT_VARIABLES } from '../../infra/aws-tracing.js';
import { awsMismatches, deployedFunctions } from './aws-contract.js';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import { tracingMismatches } from './aws-tracing-contract.js';
import {
  bundleFolder,
  everySetting,
  INFRA_DIR,
  mismatchedCopy,
  removeCopies,
  settingsOf,
} from './infra-copy.js';
import { recordInfra } from './recording.js';

const LAYER = 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1';
const OTLP = { adotLayerArn: LAYER, otlpEndpoint: 'https://otel.example.com' };
const XRAY = { adotLayerArn: LAYER };

describe('infra/aws.ts tracing (the ADOT layer in one line)', () => {
  let facts: AwsFacts;
  let bundleDir: string;
  afterAll(removeCopies);
  beforeAll(async () => {
    bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
    facts = await awsFacts(bundleDir);
  });

  /** Infra of `dir` recorded as recordAws does: every optional setting in the deploy environment. */
  const record = async (dir: string, tracing?: unknown) => {
    const settings = await settingsOf(dir);
    const env = everySetting([...settings.MODEL_SETTINGS, ...settings.AUTH_SETTINGS, ...settings.AWS_TUNING]);
    return recordInfra(join(dir, 'aws.ts'), 'deployAws', [
      bundleDir,
      { env, ...(tracing ? { tracing } : {}) },
    ]);
  };
  const functionsOf = async (dir: string, tracing?: unknown) =>
    deployedFunctions(await record(dir, tracing), facts);
  /** The whole contract, with the layer's variables counted as read (by the layer, not the handlers). */
  const contract = async (dir: string, tracing?: unknown) => {
    const { AWS_LEFT_UNSET } = await settingsOf(dir);
    const consumers = new Set([...facts.consumers, ...ADOT_VARIABLES]);
    return awsMismatches(await record(dir, tracing), { ...facts, consumers }, AWS_LEFT_UNSET);
  };

  it('adds no layer, wrapper, OTEL_* variable or X-Ray grant when tracing is not asked for', async () => {
    const functions = await functionsOf(INFRA_DIR);
    expect(functions).toHaveLength(4); // Http, HttpStream, Worker, Sweep
    for (const fn of functions) {
      expect(fn.args.layers, fn.label).toBeUndefined();
      const names = Object.keys(fn.args.environment as object);
      expect(
        names.filter((name) => /^(OTEL_|AWS_LAMBDA_EXEC_WRAPPER)/.test(name)),
        fn.label,
      ).toEqual([]);
    }
    expect(tracingMismatches(functions)).toEqual([]);
  });

  it('puts the layer, its wrapper and the OTLP endpoint on every function, with no extra grant', async () => {
    const functions = await functionsOf(INFRA_DIR, OTLP);
    for (const fn of functions) {
      expect(fn.args.layers, fn.label).toEqual([LAYER]);
      expect(fn.args.environment, fn.label).toMatchObject({
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler',
        OTEL_SERVICE_NAME: 'baton',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      });
    }
    expect(tracingMismatches(functions)).toEqual([]);
    // Tracing adds nothing to what the rest of the contract says about the stack.
    expect(await contract(INFRA_DIR, OTLP)).toEqual(await contract(INFRA_DIR));
  });

  it("grants X-Ray's two write actions, and nothing else more, for the layer's default X-Ray export", async () => {
    const functions = await functionsOf(INFRA_DIR, XRAY);
    expect(tracingMismatches(functions)).toEqual([]);
    for (const fn of functions) {
      expect(fn.args.environment, fn.label).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
    }
    // The IAM contract reports grants on `*`; X-Ray's write actions have no resource type.
    const problems = await contract(INFRA_DIR, XRAY);
    expect(problems.filter((line) => !/ xray:Put(TraceSegments|TelemetryRecords) /.test(line))).toEqual(
      await contract(INFRA_DIR),
    );
  });

  it('reports a wrapper without its layer when a copy drops the layers', async () => {
    const dir = mismatchedCopy('aws.ts', '...(tracing.layers ? { layers: tracing.layers } : {}),', '');
    expect(tracingMismatches(await functionsOf(dir, OTLP))).toContainEqual(
      'Function Http: sets AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler but deploys no layer: every invocation fails to start',
    );
  });

  it('reports the sweeper without X-Ray grants when a copy forgets its tracing permissions', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      "permissions: [...functionPermissions('sweeper', targets), ...tracing.permissions],",
      "permissions: functionPermissions('sweeper', targets),",
    );
    expect(tracingMismatches(await functionsOf(dir, XRAY))).toEqual([
      "Cron Sweep: lacks xray:PutTraceSegments, which the layer's X-Ray export calls",
      "Cron Sweep: lacks xray:PutTelemetryRecords, which the layer's X-Ray export calls",
    ]);
  });

  it('reports OTEL_* settings on a stack that asked for no tracing when a copy always sets them', async () => {
    const dir = mismatchedCopy(
      'aws-tracing.ts',
      'if (!options) return { environment: {}, permissions: [] };',
      "if (!options) return { environment: { OTEL_SERVICE_NAME: 'baton' }, permissions: [] };",
    );
    expect(tracingMismatches(await functionsOf(dir))).toContainEqual(
      'Function Worker: sets OTEL_SERVICE_NAME without the ADOT layer',
    );
  });

  it('stops with one line on a layer ARN that is not one', async () => {
    await expect(record(INFRA_DIR, { adotLayerArn: 'aws-otel-nodejs' })).rejects.toThrow(
      /^tracing\.adotLayerArn must be a Lambda layer version ARN/,
    );
  });
});
