/**
 * The functions behind a cold start's milliseconds: reads a `.cpuprofile` kept by
 * `BENCH_COLD_PROFILE_DIR` (with its `<id>.import-end-us`) and prints, split into importing and
 * answering, the self and total CPU time per function, each named by its original source file and
 * line through the bundle's source map, and Node's own work (builtins, GC excepted) by the nearest
 * bundle function that caused it.
 *
 *   npx tsx bench/cold-start/profile-functions.ts <dir>/<id>.cpuprofile [--top 40] [--grep text]
 *
 * `--grep`: only functions whose name or source contains the text (e.g. `@smithy/core`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@smithy/core/dist-es/x.js` → `@smithy/core/x.js`; a workspace path → `@baton/<pkg>/...`. */
function shortSource(source: string): string {
  const path = source.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length).replace(/\/dist-(es|cjs)\//, '/');
  const workspace = /(?:^|\/)packages\/([^/]+)\/(?:src\/)?(.*)$/.exec(path);
  if (workspace) return `@baton/${workspace[1]}/${workspace[2]}`;
  return path.split('/').slice(-3).join('/');
}

/** A profile's frames named by original source, and the samples split at the import's end. */
export function functionTimes(profileFile: string, importEndUs: number) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      try {
        const mapFile = `${fileURLToPath(url)}.map`;
        maps.set(url, new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))));
        // The bundle was rebuilt after the profile was taken: its lines no longer name the same code.
        if (statSync(mapFile).mtimeMs > statSync(profileFile).mtimeMs) {
          console.error(`warning: ${mapFile} is newer than the profile; the names below may be wrong`);
        }
      } catch {
        maps.set(url, null);
      }
    }
    return maps.get(url)!;
  };
  /** `name (source:line)` of a frame, or undefined when it is not in a bundle with a map. */
  const bundleName = (frame: Frame): string | undefined => {
    if (!frame.url.startsWith('file:') || !frame.url.endsWith('.mjs')) return undefined;
    const map = mapOf(frame.url);
    if (!map) return undefined;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      name?: string;
    };
    if (!entry.originalSource) return undefined;
    const name = frame.functionName || '(anonymous)';
    return `${name} (${shortSource(entry.originalSource)}:${(entry.originalLine ?? 0) + 1})`;
  };
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    let name = names.get(id);
    if (name === undefined) {
      const frame = byId.get(id)!.callFrame;
      name =
        bundleName(frame) ??
        `${frame.functionName || '(anonymous)'} [${frame.url.replace(/^.*\//, '') || 'native'}:${frame.lineNumber + 1}]`;
      names.set(id, name);
    }
    return name;
  };
  const isBundle = (id: number) => bundleName(byId.get(id)!.callFrame) !== undefined;
  const phases = {
    import: {
      self: new Map<string, number>(),
      total: new Map<string, number>(),
      nodeBy: new Map<string, number>(),
    },
    answer: {
      self: new Map<string, number>(),
      total: new Map<string, number>(),
      nodeBy: new Map<string, number>(),
    },
  };
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const id = profile.samples[i]!;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(idle)') continue;
    const phase = at <= importEndUs ? phases.import : phases.answer;
    add(phase.self, nameOf(id), ms);
    const onStack = new Set<string>();
    let nearestBundle: string | undefined;
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const name = nameOf(up);
      if (nearestBundle === undefined && isBundle(up)) nearestBundle = name;
      if (!onStack.has(name)) {
        onStack.add(name);
        add(phase.total, name, ms);
      }
    }
    if (!isBundle(id) && !leaf.startsWith('(')) add(phase.nodeBy, nearestBundle ?? '(no bundle frame)', ms);
  }
  return phases;
}

function print(title: string, map: Map<string, number>, top: number, grep: string | undefined) {
  const rows = [...map]
    .filter(([name]) => !grep || name.includes(grep))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  const sum = [...map.values()].reduce((a, b) => a + b, 0);
  console.log(`\n## ${title} (${sum.toFixed(1)} ms in all)`);
  for (const [name, ms] of rows) console.log(`${ms.toFixed(1).padStart(7)}  ${name}`);
}

function main() {
  const args = process.argv.slice(2);
  const option = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args.splice(at, 2)[1] : undefined;
  };
  const top = Number(option('--top') ?? 40);
  const grep = option('--grep');
  let file = args[0];
  if (!file) throw new Error('usage: profile-functions.ts <id>.cpuprofile [--top N] [--grep text]');
  if (!file.endsWith('.cpuprofile')) {
    // A folder and an id: its first profile.
    const id = args[1];
    const found = readdirSync(file).find(
      (name) => name.endsWith('.cpuprofile') && (!id || name.startsWith(id)),
    );
    if (!found) throw new Error(`no .cpuprofile for ${id ?? 'any id'} in ${file}`);
    file = join(file, found);
  }
  const endFile = join(dirname(file), `${basename(file, '.cpuprofile')}.import-end-us`);
  if (!existsSync(endFile)) throw new Error(`${endFile} is missing: where the import ended`);
  const phases = functionTimes(file, Number(readFileSync(endFile, 'utf8')));
  for (const [phase, times] of Object.entries(phases)) {
    print(`${phase}: self`, times.self, top, grep);
    print(`${phase}: total (inclusive)`, times.total, top, grep);
    print(`${phase}: Node's own work by the nearest bundle function`, times.nodeBy, top, grep);
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) main();
