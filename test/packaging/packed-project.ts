import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '../..');

/** The packages a user installs: every workspace package that is not private. */
export const PUBLIC_PACKAGES = [
  'core',
  'console',
  'store-sqlite',
  'store-dynamodb',
  'store-cosmos',
  'model-openai',
  'model-bedrock',
  'slack',
  'mcp',
  'aws',
  'azure',
  'dev',
  'testing',
];

/**
 * The environment of a user's shell: plain Node, none of the monorepo's source conditions or
 * loaders, no credentials, and npm kept to the registry cache this machine already has.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // npm_config_nodedir: native addons (better-sqlite3) build against the headers of the Node that
  // runs them; npm_config_globalconfig: the machine's npmrc when that Node is not the system's.
  const kept = [
    'PATH',
    'HOME',
    'TMPDIR',
    'LANG',
    'npm_config_cache',
    'npm_config_nodedir',
    'npm_config_globalconfig',
  ];
  for (const name of kept) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return {
    ...env,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...extra,
  };
}

export async function sh(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, {
      cwd: options.cwd,
      env: options.env ?? userEnv(),
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${options.cwd}:\n${failed.stderr ?? ''}\n${failed.stdout ?? ''}`.slice(
        0,
        8_000,
      ),
    );
  }
}

/** Builds every package and packs the public ones; returns the tarball of each package name. */
export async function packAll(): Promise<Map<string, string>> {
  await sh('npm', ['run', 'build'], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
  const out = await mkdtemp(join(tmpdir(), 'baton-tarballs-'));
  const args = [
    'pack',
    '--pack-destination',
    out,
    ...PUBLIC_PACKAGES.flatMap((name) => ['-w', `@baton/${name}`]),
  ];
  await sh('npm', args, { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
  const tarballs = new Map<string, string>();
  for (const file of await readdir(out)) {
    const name = PUBLIC_PACKAGES.find(
      (pkg) => file === `baton-${pkg}-${file.match(/-(\d+\.\d+\.\d+.*)\.tgz$/)?.[1]}.tgz`,
    );
    if (name) tarballs.set(`@baton/${name}`, join(out, file));
  }
  return tarballs;
}

/** A fresh folder outside the repository, so nothing resolves through the workspace's node_modules. */
export async function freshDir(name: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'baton-user-')), name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Installs the tarballs (as file: dependencies, so npm never asks the registry for @baton/*) plus `extra`. */
export async function installTarballs(
  dir: string,
  tarballs: Map<string, string>,
  names: string[],
  extra: Record<string, string>,
  devExtra: Record<string, string> = {},
  options: { ignoreScripts?: boolean } = {},
): Promise<void> {
  const pkgPath = join(dir, 'package.json');
  let pkg: Record<string, unknown> = { name: 'user-app', version: '1.0.0', private: true, type: 'module' };
  try {
    pkg = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(pkgPath, 'utf8')));
  } catch {
    // A new project: the defaults above.
  }
  const file = (name: string) => `file:${tarballs.get(name)}`;
  const deps = { ...(pkg.dependencies as object), ...extra };
  const devDeps = { ...(pkg.devDependencies as object), ...devExtra };
  for (const name of names) (name === '@baton/testing' ? devDeps : deps)[name as never] = file(name) as never;
  // Every @baton package resolves to its tarball, however deep it is asked for.
  const overrides = Object.fromEntries([...tarballs.keys()].map((name) => [name, file(name)]));
  await writeFile(
    pkgPath,
    `${JSON.stringify({ ...pkg, dependencies: deps, devDependencies: devDeps, overrides }, null, 2)}\n`,
  );
  const flags = ['--no-audit', '--no-fund', ...(options.ignoreScripts ? ['--ignore-scripts'] : [])];
  await sh('npm', ['install', ...flags], { cwd: dir, timeoutMs: 900_000 });
}

/** Starts `npx baton serve` on a free port and resolves with its URL once the banner says where it listens. */
export function serve(
  dir: string,
): Promise<{ url: string; stop: () => Promise<void>; output: () => string }> {
  const child = spawn('npx', ['baton', 'serve'], {
    cwd: dir,
    env: userEnv({ PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The banner ends with the line that says what to try.
      const match = output.match(/listening on (http:\/\/\S+)[\s\S]*\nTry:/);
      if (match) {
        resolvePromise({
          url: match[1]!,
          output: () => output,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`baton serve exited with ${code}:\n${output}`)));
  });
}
