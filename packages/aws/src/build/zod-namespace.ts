import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/**
 * `import { z } from 'zod'` (and `import z from 'zod'`) read as `import * as z from 'zod'`. zod's
 * `z` is a namespace re-exported under a name, which esbuild cannot shake: the bundle gets every
 * export of zod, its 40-odd locales included (about 260 KB of 450 KB). Through a namespace import
 * esbuild keeps only the members the code reads. The same bindings, so the same program: this is
 * the form zod's own docs give, applied to every module the bundle takes in (the user's config and
 * tools too).
 */
const NAMED_Z = /import\s*(?:\{\s*z\s*\}|z)\s*from\s*(['"])zod(\/v4)?\1/g;

const LOADERS = { ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx', js: 'js', mjs: 'js', cjs: 'js' } as const;

export function zodNamespacePlugin(): Plugin {
  return {
    name: 'baton-zod-namespace',
    setup(build) {
      build.onLoad({ filter: /\.([cm]?[jt]s|tsx)$/ }, async (args) => {
        if (args.namespace !== 'file' || /[\\/]node_modules[\\/]zod[\\/]/.test(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('zod')) return undefined;
        const rewritten = source.replace(NAMED_Z, (_all, quote: string, v4 = '') => {
          return `import * as z from ${quote}zod${v4}${quote}`;
        });
        if (rewritten === source) return undefined;
        const extension = args.path.slice(args.path.lastIndexOf('.') + 1) as keyof typeof LOADERS;
        return { contents: rewritten, loader: LOADERS[extension] };
      });
    },
  };
}

/**
 * A statement for the banner of every output file: zod parses without compiling a parser per
 * object schema. zod 4 compiles one (`new Function`) the first time each schema parses, which
 * costs a cold start tens of milliseconds and pays back only over thousands of parses of the same
 * schema. The flag lives on `globalThis`, shared by every copy of zod, and a schema reads it when
 * it is made, so it must be set before any module makes one: a banner runs first in each file.
 */
export const ZOD_JITLESS_BANNER = '(globalThis.__zod_globalConfig??={}).jitless=true;';
