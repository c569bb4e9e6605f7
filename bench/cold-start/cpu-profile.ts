import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Milliseconds of CPU samples attributed to one module (a package, or a category of V8's). */
export interface ModuleTime {
  module: string;
  ms: number;
}

/** Where one profiled cold start spent its time: while importing the bundle, then answering. */
export interface ColdProfile {
  importMs: ModuleTime[];
  answerMs: ModuleTime[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
  /** Samples per source line (1-based) of this node, where the function was when sampled. */
  positionTicks?: { line: number; ticks: number }[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `node --cpu-prof` into `dir`, sampling every 200 µs (V8's default, 1 ms, misses short imports). */
export function profileArgs(dir: string): string[] {
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'];
}

/** The one profile a process wrote into `dir`. */
export function profileIn(dir: string): string {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, file);
}

/** The package a source path belongs to: `openai`, `@smithy/core`, `@baton/core`, or the path. */
export function moduleOf(source: string): string {
  const path = source.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const [scope, name] = path.slice(nm + 'node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const workspace = /(?:^|\/)(packages|examples)\/([^/]+)\//.exec(path);
  if (workspace) return workspace[1] === 'packages' ? `@baton/${workspace[2]}` : `examples/${workspace[2]}`;
  return path.split('/').slice(-2).join('/');
}

/**
 * Attributes every CPU sample of a cold start to a module through the bundles' source maps: the
 * innermost frame that lies in a bundle file names the module (so Node's own code called by, say,
 * the SDK's request signing counts for the SDK); samples with no bundle frame count under V8's
 * category ('(program)', '(garbage collector)') or as Node's own work: compiling the bundle's
 * source, loading the builtins it imports (node:http, node:crypto...), or 'node' for the rest. Samples up to `importEndUs` (the process's monotonic clock, as the profile's) are the
 * import; the rest answer the request.
 */
export function summarizeProfile(profileFile: string, importEndUs: number): ColdProfile {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      try {
        const file = fileURLToPath(url);
        maps.set(url, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
      } catch {
        maps.set(url, null);
      }
    }
    return maps.get(url)!;
  };
  const sourceAt = (url: string, line: number, column: number): string | undefined => {
    if (!url.startsWith('file:') || !url.endsWith('.mjs')) return undefined;
    const map = mapOf(url);
    if (!map) return undefined;
    // The last mapping at or before the position: the module whose code is there.
    const entry = map.findEntry(line, column) as { originalSource?: string };
    return entry.originalSource ? moduleOf(entry.originalSource) : undefined;
  };
  /** The module of a node's own code at a line; else of its nearest caller in a bundle. */
  const moduleCache = new Map<string, string>();
  const attribute = (id: number, line?: number): string => {
    const key = `${id}:${line ?? ''}`;
    const cached = moduleCache.get(key);
    if (cached !== undefined) return cached;
    const leaf = byId.get(id)!;
    let found =
      line === undefined ? undefined : sourceAt(leaf.callFrame.url, line - 1, Number.MAX_SAFE_INTEGER);
    for (let at: number | undefined = id; at !== undefined && found === undefined; at = parent.get(at)) {
      const { url, lineNumber, columnNumber } = byId.get(at)!.callFrame;
      found = sourceAt(url, lineNumber, columnNumber);
    }
    const name = leaf.callFrame.functionName;
    const result = found ?? (name.startsWith('(') ? name : nodeWork(id));
    moduleCache.set(key, result);
    return result;
  };
  /** Node's own work, by the frame it runs under: compiling the bundle, loading its builtins. */
  const nodeWork = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (name === 'compileForInternalLoader') return 'node: loading builtins';
      if (name === 'compileSourceTextModule' || name === 'ModuleWrap') return 'node: compiling the bundle';
    }
    return 'node';
  };
  // A node's samples split over its lines as its positionTicks count them: in a bundle that is
  // not minified, a module body's lines belong to the modules esbuild concatenated there.
  const lineShares = new Map<number, { line: number; share: number }[]>();
  for (const node of profile.nodes) {
    const ticks = node.positionTicks ?? [];
    const total = ticks.reduce((sum, tick) => sum + tick.ticks, 0);
    if (total > 0)
      lineShares.set(
        node.id,
        ticks.map((tick) => ({ line: tick.line, share: tick.ticks / total })),
      );
  }
  const importMs = new Map<string, number>();
  const answerMs = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const id = profile.samples[i]!;
    // Each sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const bucket = at <= importEndUs ? importMs : answerMs;
    for (const { line, share } of lineShares.get(id) ?? [{ line: undefined, share: 1 }]) {
      const module = attribute(id, line);
      if (module === '(idle)') continue;
      bucket.set(module, (bucket.get(module) ?? 0) + ms * share);
    }
  }
  const sorted = (times: Map<string, number>) =>
    [...times].map(([module, ms]) => ({ module, ms })).sort((a, b) => b.ms - a.ms);
  return { importMs: sorted(importMs), answerMs: sorted(answerMs) };
}

/** `openai 41.2, @smithy/core 30.0, ...`: the modules that took at least `minMs`. */
export function profileLine(times: readonly ModuleTime[], minMs = 2): string {
  const total = times.reduce((sum, time) => sum + time.ms, 0);
  const shown = times
    .filter((time) => time.ms >= minMs)
    .map((time) => `${time.module} ${time.ms.toFixed(1)}`)
    .join(', ');
  return `${total.toFixed(0)} ms: ${shown}`;
}
