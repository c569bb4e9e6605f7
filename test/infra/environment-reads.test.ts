import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentReads } from './environment-reads.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('environmentReads', () => {
  it('finds every literal way handler code reads a variable and ignores comments', () => {
    const file = join(dir, 'handler.ts');
    writeFileSync(
      file,
      [
        '// process.env.IN_A_COMMENT is documentation, not a read',
        'const table = process.env.BATON_TABLE;',
        'function make(env: Record<string, string | undefined>) {',
        "  return [env.BATON_QUEUE_URL, env['BATON_DLQ_URL'], intFromEnv(env, 'BATON_TTL_SECONDS'), options.env.BATON_MODEL];",
        '}',
        'const name = Resource.Sessions.name;',
      ].join('\n'),
    );
    const reads = environmentReads([file]);
    expect([...reads.variables.keys()].sort()).toEqual([
      'BATON_DLQ_URL',
      'BATON_MODEL',
      'BATON_QUEUE_URL',
      'BATON_TABLE',
      'BATON_TTL_SECONDS',
    ]);
    expect([...reads.resources.keys()]).toEqual(['Sessions']);
  });
});
