import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILDREN = ['crash-child', 'contention-child'] as const;
export type ChildName = (typeof CHILDREN)[number];

export interface ChildBundle {
  path(child: ChildName): string;
  dispose(): void;
}

/**
 * Bundles the child scripts into plain ESM once per test process: a child then starts in ~0.2 s
 * instead of ~0.6 s through tsx, which is what lets the suite afford a process per crash point.
 * The bundle lives under node_modules/.cache so the SDKs left external resolve from the repo;
 * code splitting keeps each store's SDK in a chunk that only its children load.
 */
export async function bundleChildren(): Promise<ChildBundle> {
  const outdir = `${ROOT}node_modules/.cache/baton-reliability/${process.pid}-${Date.now()}`;
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: CHILDREN.map((name) => `${ROOT}test/reliability/child/${name}.ts`),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    external: ['better-sqlite3', '@aws-sdk/*', '@azure/*', '@smithy/*'],
    // The workspace packages' sources, as the tests run them: never a stale (or missing) dist.
    conditions: ['@baton/source'],
    // Bundled CommonJS code may call require(); ESM has none unless we make one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return {
    path: (child) => `${outdir}/${child}.js`,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a bundled child with one JSON argument and resolves when it exits, however it exits. */
export function runChild(bundle: ChildBundle, child: ChildName, config: unknown): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [bundle.path(child), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
    });
    let stdout = '';
    let stderr = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    process_.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    process_.once('error', reject);
    process_.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Maps with at most `limit` calls in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
