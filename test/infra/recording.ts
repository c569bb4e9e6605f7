import { pathToFileURL } from 'node:url';

/**
 * Recording stand-ins for the globals SST gives sst.config.ts and infra/ (`sst`, `azurenative`,
 * `$app`, `$interpolate`, `$util`): every constructor call is recorded with its arguments, and
 * every resource attribute (`table.name`, `queue.url`) is a reference that remembers its path, so a
 * test can see which resource an environment variable points at. Nothing here knows what the
 * components do; the types of the real ones are checked by `npm run check:infra`.
 */

const PATH = Symbol('reference path');

export interface RecordedResource {
  /** e.g. `sst.aws.Function`, `azurenative.cosmosdb.SqlResourceSqlContainer`. */
  type: string;
  name: string;
  args: Record<string, unknown>;
  opts: Record<string, unknown> | undefined;
}

export interface RecordedCall {
  /** The reference called, e.g. `Runs.subscribe` or `azurenative.storage.listStorageAccountKeysOutput`. */
  target: string;
  args: unknown[];
}

export interface Recording {
  resources: RecordedResource[];
  calls: RecordedCall[];
  outputs: Record<string, unknown>;
  /** What references resolve to inside `apply` and `$util.all` (e.g. `OpenAiApiKey.value`: ''). */
  values: Record<string, unknown>;
}

/** The path of a reference (`Sessions.name`), or undefined for a plain value. */
export function referencePath(value: unknown): string | undefined {
  if ((typeof value === 'function' || typeof value === 'object') && value !== null) {
    const path = (value as { [PATH]?: unknown })[PATH];
    return typeof path === 'string' ? path : undefined;
  }
  return undefined;
}

/** A value as text: references as `${path}`, as they would appear inside an interpolation. */
export function text(value: unknown): string {
  const path = referencePath(value);
  return path === undefined ? String(value) : `\${${path}}`;
}

function reference(path: string, recording: Recording): unknown {
  return new Proxy(() => undefined, {
    get(_target, property) {
      if (property === PATH) return path;
      if (property === Symbol.toPrimitive || property === 'toString' || property === 'toJSON') {
        return () => `\${${path}}`;
      }
      if (typeof property === 'symbol' || property === 'then') return undefined;
      // Output.apply: run the callback on the value the test gave, else on the reference itself,
      // so what it derives stays traceable.
      if (property === 'apply') return (fn: (value: unknown) => unknown) => fn(resolve(path, recording));
      return reference(`${path}.${property}`, recording);
    },
    apply(_target, _this, args: unknown[]) {
      recording.calls.push({ target: path, args });
      return reference(`${path}()`, recording);
    },
  });
}

function resolve(path: string, recording: Recording): unknown {
  return path in recording.values ? recording.values[path] : reference(path, recording);
}

/** `sst.aws.Queue`, `azurenative.storage.Queue`, ...: constructible (recorded) and callable (invokes). */
function namespace(path: string, recording: Recording): unknown {
  return new Proxy(function stand() {}, {
    get(_target, property) {
      if (typeof property === 'symbol' || property === 'then') return undefined;
      return namespace(`${path}.${property}`, recording);
    },
    construct(_target, args: unknown[]) {
      const [name, props, opts] = args as [
        string,
        Record<string, unknown> | undefined,
        Record<string, unknown>?,
      ];
      recording.resources.push({ type: path, name, args: props ?? {}, opts });
      return reference(name, recording) as object;
    },
    apply(_target, _this, args: unknown[]) {
      recording.calls.push({ target: path, args });
      return reference(`${path}()`, recording);
    },
  });
}

function install(recording: Recording, app: { name: string; stage: string }): () => void {
  const globals: Record<string, unknown> = {
    sst: namespace('sst', recording),
    aws: namespace('aws', recording),
    azurenative: namespace('azurenative', recording),
    $app: { ...app, removal: app.stage === 'production' ? 'retain' : 'remove', protect: false },
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) =>
      strings.reduce(
        (joined, part, index) => joined + part + (index < values.length ? text(values[index]) : ''),
        '',
      ),
    $util: {
      secret: (value: unknown) => value,
      asset: namespace('$util.asset', recording),
      all: (values: unknown[]) => ({
        apply: (fn: (resolved: unknown[]) => unknown) =>
          fn(
            values.map((value) => {
              const path = referencePath(value);
              return path === undefined ? value : resolve(path, recording);
            }),
          ),
      }),
    },
  };
  const scope = globalThis as Record<string, unknown>;
  const previous = Object.fromEntries(Object.keys(globals).map((key) => [key, scope[key]]));
  Object.assign(scope, globals);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete scope[key];
      else scope[key] = value;
    }
  };
}

/**
 * Imports an infra module (by file, so a test can also load a modified copy) and runs one of its
 * deploy functions against the stand-ins. `values` are what references resolve to where infra
 * looks at them (`apply`, `$util.all`): an unset secret is `{ 'OpenAiApiKey.value': '' }`.
 *
 * @example
 * const recording = await recordInfra('infra/aws.ts', 'deployAws', ['dist/aws', { env: {} }]);
 */
export async function recordInfra(
  file: string,
  exportName: string,
  args: unknown[],
  options: { app?: { name: string; stage: string }; values?: Record<string, unknown> } = {},
): Promise<Recording> {
  const recording: Recording = { resources: [], calls: [], outputs: {}, values: options.values ?? {} };
  const uninstall = install(recording, options.app ?? { name: 'baton', stage: 'dev' });
  try {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const deploy = module[exportName];
    if (typeof deploy !== 'function') throw new Error(`${file} exports no function ${exportName}`);
    recording.outputs = (deploy as (...args: unknown[]) => Record<string, unknown>)(...args);
    return recording;
  } finally {
    uninstall();
  }
}

export function resourcesOf(recording: Recording, type: string): RecordedResource[] {
  return recording.resources.filter((resource) => resource.type === type);
}

export function callsOf(recording: Recording, target: RegExp): RecordedCall[] {
  return recording.calls.filter((call) => target.test(call.target));
}
