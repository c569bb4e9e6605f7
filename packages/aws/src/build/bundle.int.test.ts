import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundles, ENTRIES, ForbiddenCodeError, REPO_ROOT } from './bundle.js';

// Inside the repository so the bundles resolve the AWS SDK the way the Lambda runtime provides it.
const workDir = join(REPO_ROOT, 'dist', `aws-bundle-test-${randomUUID()}`);
const run = promisify(execFile);

describe('buildBundles', () => {
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('bundles every handler without Azure code and with the AWS SDK left to the runtime', async () => {
    const reports = await buildBundles({ outdir: join(workDir, 'ok') });
    expect(reports.map((report) => report.name)).toEqual([...ENTRIES]);
    for (const report of reports) {
      expect(report.bytes).toBeGreaterThan(0);
      expect(
        report.packages.filter((name) => name.startsWith('@azure/') || name.startsWith('@aws-sdk/')),
      ).toEqual([]);
    }
  });

  it('answers an HTTP event when a fresh node process loads the http bundle', async () => {
    const [http] = await buildBundles({ outdir: join(workDir, 'cold') });
    const script = `
      const { handler } = await import(${JSON.stringify(http!.file)});
      const event = { version: '2.0', routeKey: '$default', rawPath: '/healthz', rawQueryString: '', headers: {},
        isBase64Encoded: false, requestContext: { http: { method: 'GET' }, stage: '$default', domainName: 'x.lambda-url.eu-west-1.on.aws' } };
      const result = await handler(event, { awsRequestId: 'cold-1', getRemainingTimeInMillis: () => 10000 });
      process.stdout.write(JSON.stringify(result));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        BATON_TABLE: 'baton',
        BATON_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/runs',
        BATON_LOG_LEVEL: 'error',
      },
    });
    expect(JSON.parse(stdout)).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  });

  it('fails when Azure code ends up in a bundle', async () => {
    const entry = join(workDir, 'azure-entry.ts');
    await mkdir(workDir, { recursive: true });
    await writeFile(
      entry,
      "import { AbortError } from '@azure/abort-controller';\nexport const handler = () => new AbortError('no');\n",
    );
    await expect(
      buildBundles({ outdir: join(workDir, 'azure'), entryFiles: { worker: entry } }),
    ).rejects.toThrow(ForbiddenCodeError);
  });
});
