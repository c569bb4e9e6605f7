import { resolve } from 'node:path';
import type { Metafile } from 'esbuild';

/**
 * The output files a cold start loads: the entry and every chunk it imports statically, however
 * deep; chunks reached only through `import()` (Slack, credential providers) load when first used.
 * Paths as esbuild wrote them, resolved against `workingDir`.
 */
export function loadPath(metafile: Metafile, entry: string, workingDir: string): string[] {
  const byFile = new Map(Object.keys(metafile.outputs).map((path) => [resolve(workingDir, path), path]));
  const seen = new Set<string>();
  const pending = [resolve(workingDir, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const key = byFile.get(file);
    if (seen.has(file) || key === undefined) continue;
    seen.add(file);
    for (const imported of metafile.outputs[key]!.imports) {
      if (imported.kind === 'import-statement' && !imported.external) {
        pending.push(resolve(workingDir, imported.path));
      }
    }
  }
  return [...seen];
}

/** The source files (inputs) whose code sits in the given output files. */
export function inputsOf(metafile: Metafile, files: readonly string[], workingDir: string): string[] {
  const wanted = new Set(files);
  return Object.entries(metafile.outputs)
    .filter(([path]) => wanted.has(resolve(workingDir, path)))
    .flatMap(([, output]) => Object.keys(output.inputs));
}
