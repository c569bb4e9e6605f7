import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedFunctions } from './aws-contract.js';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import { mismatchesOf, useBundleDir } from './aws-recording.js';
import { bundleFolder, INFRA_DIR, mismatchedCopy, removeCopies, settingsOf } from './infra-copy.js';
import { recordInfra, referencePath } from './recording.js';

describe("infra/aws.ts: the streaming Function URL on the http bundle's stream export", () => {
  let facts: AwsFacts;
  let bundleDir: string;
  afterAll(removeCopies);
  beforeAll(async () => {
    bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
    useBundleDir(bundleDir);
    facts = await awsFacts(bundleDir);
  });

  const record = (options: Record<string, unknown>) =>
    recordInfra(`${INFRA_DIR}/aws.ts`, 'deployAws', [bundleDir, { env: {}, ...options }]);

  it('deploys HttpStream by default: the stream export, a public RESPONSE_STREAM URL, the HTTP grants', async () => {
    const recording = await record({});
    const functions = deployedFunctions(recording, facts);
    const stream = functions.find((fn) => fn.label === 'Function HttpStream');
    const http = functions.find((fn) => fn.label === 'Function Http');
    expect(stream?.args).toMatchObject({
      handler: 'http.stream',
      streaming: true,
      url: { authorization: 'none' },
      timeout: '300 seconds',
    });
    expect(http?.args.handler).toBe('http.handler');
    expect(http?.args.streaming).toBeUndefined();
    expect(JSON.stringify(stream?.args.permissions)).toBe(JSON.stringify(http?.args.permissions));
    // Its inline runs go on up to its timeout: the safety-net message waits that long.
    expect(stream?.args.environment).toMatchObject({ BATON_SAFETY_NET_DELAY_MS: '300000' });
    expect(referencePath(recording.outputs.stream)).toBe('HttpStream.url');
  });

  it('leaves it out with streaming: false', async () => {
    const recording = await record({ streaming: false });
    expect(deployedFunctions(recording, facts).map((fn) => fn.label)).not.toContain('Function HttpStream');
    expect(recording.outputs).not.toHaveProperty('stream');
  });

  it('keeps a safety-net delay the deploy environment sets', async () => {
    const { AWS_TUNING } = await settingsOf(INFRA_DIR);
    expect(AWS_TUNING).toContain('BATON_SAFETY_NET_DELAY_MS');
    const recording = await record({ env: { BATON_SAFETY_NET_DELAY_MS: '45000' } });
    const stream = deployedFunctions(recording, facts).find((fn) => fn.label === 'Function HttpStream');
    expect(stream?.args.environment).toMatchObject({ BATON_SAFETY_NET_DELAY_MS: '45000' });
  });

  it('reports a buffered Function URL when a copy drops streaming: true', async () => {
    const dir = mismatchedCopy('aws-streaming.ts', 'streaming: true,', '');
    expect(await mismatchesOf(dir, facts)).toContain(
      'Function HttpStream: runs the streaming handler behind a buffered Function URL (set streaming: true, invoke mode RESPONSE_STREAM)',
    );
  });

  it('reports the buffered handler streamed when a copy points the URL at it', async () => {
    const dir = mismatchedCopy(
      'aws-streaming.ts',
      "handlerIn(bundleDir, 'http', 'stream')",
      "handlerIn(bundleDir, 'http')",
    );
    expect(await mismatchesOf(dir, facts)).toContain(
      'Function HttpStream: streams the buffered handler export; a Function URL in RESPONSE_STREAM mode needs the stream export',
    );
  });

  it('reports a URL that asks for IAM signatures when a copy sets it', async () => {
    const dir = mismatchedCopy(
      'aws-streaming.ts',
      "url: { authorization: 'none' }",
      "url: { authorization: 'iam' }",
    );
    expect(await mismatchesOf(dir, facts)).toContain(
      'Function HttpStream: its Function URL asks for IAM signatures, which no browser or API-key client sends (the app checks callers)',
    );
  });
});
