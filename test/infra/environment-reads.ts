import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';

/**
 * The workspace sources an entry file (or module text, resolved from `resolveDir`) reaches through
 * its imports (packages/* included, third party code left out), as esbuild resolves them for the
 * real bundle.
 */
export async function reachableSources(
  entry: string | { contents: string; resolveDir: string },
): Promise<string[]> {
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'ts' as const } }),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'unused',
    logLevel: 'silent',
    // Workspace packages export their sources under this condition (see vitest.config.ts).
    conditions: ['@baton/source'],
    plugins: [
      {
        name: 'workspace-only',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@baton/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return Object.keys(result.metafile.inputs)
    .filter((path) => path.endsWith('.ts') && !path.includes('node_modules'))
    .map((path) => resolve(path));
}

/** The workspace sources of each package (`@baton/model-openai`), as a bundle importing it would hold them. */
export async function packageSources(packages: readonly string[], resolveDir: string): Promise<string[]> {
  const contents = packages.map((name) => `export * from ${JSON.stringify(name)};`).join('\n');
  return packages.length === 0 ? [] : reachableSources({ contents, resolveDir });
}

/**
 * The workspace TypeScript sources a built bundle (`http/index.mjs`, `app.mjs`) was made of, from
 * the source maps esbuild wrote next to it and next to the chunks it loads lazily (`chunks/`):
 * exactly the code that deploys, nothing reconstructed.
 */
export function bundledSources(bundleFile: string): string[] {
  const map = `${bundleFile}.map`;
  if (!existsSync(map)) throw new Error(`${bundleFile} has no source map (${map})`);
  const chunks = join(dirname(bundleFile), 'chunks');
  const maps = [
    map,
    ...(existsSync(chunks)
      ? readdirSync(chunks)
          .filter((name) => name.endsWith('.map'))
          .map((name) => join(chunks, name))
      : []),
  ];
  const sources = maps.flatMap((file) =>
    (JSON.parse(readFileSync(file, 'utf8')) as { sources: string[] }).sources.map((path) =>
      resolve(dirname(file), path),
    ),
  );
  return [...new Set(sources)].filter((path) => path.endsWith('.ts') && !path.includes('node_modules'));
}

/** What a file exports, by name, as esbuild sees the entry. */
export async function exportsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: false,
    write: false,
    metafile: true,
    format: 'esm',
    outdir: 'unused',
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).flatMap((output) => output.exports);
}

export interface EnvironmentReads {
  /** Environment variables read by name, with the files that read each. */
  variables: Map<string, string[]>;
  /** `Resource.<Name>` reads (SST links). */
  resources: Map<string, string[]>;
}

/**
 * Every environment variable the files read by a literal name: `process.env.X`, `env.X`,
 * `env['X']`, and helpers called as `(env, 'X')` (`intFromEnv(env, 'BATON_TTL_SECONDS')`). Names
 * built at run time (`env[setting]`) cannot be seen; the contract tests check those separately.
 */
export function environmentReads(files: readonly string[]): EnvironmentReads {
  const reads: EnvironmentReads = { variables: new Map(), resources: new Map() };
  const note = (map: Map<string, string[]>, name: string, file: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
    const files = map.get(name) ?? [];
    if (!files.includes(file)) files.push(file);
    map.set(name, files);
  };
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAccessExpression(node)) {
        if (isEnvironment(node.expression)) note(reads.variables, node.name.text, file);
        if (ts.isIdentifier(node.expression) && node.expression.text === 'Resource') {
          note(reads.resources, node.name.text, file);
        }
      } else if (ts.isElementAccessExpression(node)) {
        if (isEnvironment(node.expression) && ts.isStringLiteralLike(node.argumentExpression)) {
          note(reads.variables, node.argumentExpression.text, file);
        }
      } else if (ts.isCallExpression(node)) {
        node.arguments.forEach((argument, index) => {
          const next = node.arguments[index + 1];
          if (isEnvironment(argument) && next && ts.isStringLiteralLike(next))
            note(reads.variables, next.text, file);
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return reads;
}

/** `env`, `process.env`, `options.env`: anything named env. */
function isEnvironment(node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === 'env';
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env';
}

/** The environment variables read by the files, each read once however many lists hold it. */
export function readsOf(...lists: readonly (readonly string[])[]): EnvironmentReads {
  return environmentReads([...new Set(lists.flat())].sort());
}
