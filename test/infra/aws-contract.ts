import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { API_GATEWAY_BUDGET_MS } from '@baton/aws';
import { EXPIRES_AT_ATTRIBUTE, tableDefinition } from '@baton/store-dynamodb';
import { DEFAULT_OUTDIR, ENTRIES, REPO_ROOT } from '../../packages/aws/src/build/bundle.js';
import { exportsOf, readsFrom } from './environment-reads.js';
import { callsOf, type Recording, referencePath, resourcesOf } from './recording.js';
import { routeIsServed } from './served-routes.js';
import { tableMismatches } from './table-contract.js';

/** What the AWS code says, read from the packages; a test may hand the check a doctored copy. */
export interface AwsFacts {
  /** Handlers `npm run build:aws` bundles, each to `<outdir>/<entry>/index.mjs` from `src/entry/<entry>.ts`. */
  entries: readonly string[];
  outdir: string;
  table: {
    attributes: { AttributeName: string; AttributeType: string }[];
    keySchema: { AttributeName: string; KeyType: string }[];
    indexes: {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: string }[];
      Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
    }[];
    ttlAttribute: string;
  };
  httpBudgetMs: number;
  /** Environment variables each entry's code reads. */
  reads: Map<string, Set<string>>;
  /** SST links each entry's code reads as `Resource.<Name>`. */
  resourceReads: Map<string, Set<string>>;
  /** Variables read anywhere a deployment may configure: the entries, the model pickers, the Slack channel. */
  consumers: Set<string>;
  /** The kinds of Slack request packages/slack answers (its `SlackRequestKind`). */
  slackKinds: string[];
}

export const entrySource = (entry: string) => join(REPO_ROOT, 'packages/aws/src/entry', `${entry}.ts`);

export async function awsFacts(): Promise<AwsFacts> {
  const reads = new Map<string, Set<string>>();
  const resourceReads = new Map<string, Set<string>>();
  for (const entry of ENTRIES) {
    const found = await readsFrom([entrySource(entry)]);
    reads.set(entry, new Set(found.variables.keys()));
    resourceReads.set(entry, new Set(found.resources.keys()));
  }
  const consumers = await readsFrom([
    ...ENTRIES.map(entrySource),
    ...['slack', 'model-openai', 'model-bedrock'].map((name) =>
      join(REPO_ROOT, 'packages', name, 'src/index.ts'),
    ),
  ]);
  const kinds = readFileSync(join(REPO_ROOT, 'packages/slack/src/slack-http.ts'), 'utf8').match(
    /export type SlackRequestKind = ([^;]+);/,
  );
  return {
    entries: ENTRIES,
    outdir: relative(REPO_ROOT, DEFAULT_OUTDIR),
    table: {
      attributes: tableDefinition.AttributeDefinitions,
      keySchema: tableDefinition.KeySchema,
      indexes: tableDefinition.GlobalSecondaryIndexes,
      ttlAttribute: EXPIRES_AT_ATTRIBUTE,
    },
    httpBudgetMs: API_GATEWAY_BUDGET_MS,
    reads,
    resourceReads,
    consumers: new Set(consumers.variables.keys()),
    slackKinds: [...(kinds?.[1] ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]!),
  };
}

export interface DeployedFunction {
  label: string;
  args: Record<string, unknown>;
  entry: string | undefined;
}

/**
 * Every way the recorded AWS infrastructure disagrees with the code, as readable sentences; empty
 * when they agree. `leftUnset` is infra's list of variables read but deliberately not set.
 */
export async function awsMismatches(
  recording: Recording,
  facts: AwsFacts,
  leftUnset: Readonly<Record<string, string>>,
): Promise<string[]> {
  const problems: string[] = [];
  const functions = deployedFunctions(recording, facts);

  for (const fn of functions) {
    const bundle = String(fn.args.bundle);
    const [file, exported] = String(fn.args.handler).split('.');
    if (fn.entry === undefined || file !== 'index') {
      problems.push(
        `${fn.label}: bundle ${bundle} handler ${fn.args.handler} is not a file npm run build:aws writes (${facts.outdir}/{${facts.entries.join(',')}}/index.mjs)`,
      );
      continue;
    }
    const source = entrySource(fn.entry);
    if (!existsSync(source)) problems.push(`${fn.label}: ${relative(REPO_ROOT, source)} does not exist`);
    else if (!(await exportsOf(source)).includes(exported ?? '')) {
      problems.push(`${fn.label}: ${relative(REPO_ROOT, source)} exports no "${exported}"`);
    }
    const declared = new Set(Object.keys((fn.args.environment as Record<string, unknown>) ?? {}));
    for (const name of facts.reads.get(fn.entry) ?? []) {
      if (!declared.has(name) && !(name in leftUnset)) {
        problems.push(
          `${fn.label}: the ${fn.entry} handler reads ${name}, which is neither set nor left unset on purpose`,
        );
      }
    }
    const linked = new Set(((fn.args.link as unknown[]) ?? []).map(referencePath));
    for (const name of facts.resourceReads.get(fn.entry) ?? []) {
      if (!linked.has(name))
        problems.push(`${fn.label}: the ${fn.entry} handler reads Resource.${name}, which is not linked`);
    }
    for (const name of declared) {
      if (!facts.consumers.has(name)) problems.push(`${fn.label}: sets ${name}, which no handler code reads`);
    }
  }
  for (const name of Object.keys(leftUnset)) {
    if (!facts.consumers.has(name))
      problems.push(`left unset on purpose: ${name}, which no handler code reads`);
  }
  for (const entry of facts.entries) {
    if (!functions.some((fn) => fn.entry === entry))
      problems.push(`no function deploys the ${entry} handler`);
  }

  problems.push(...tableMismatches(recording, facts, functions));
  problems.push(...queueMismatches(recording, functions));
  problems.push(...(await apiMismatches(recording, facts, functions)));

  if (resourcesOf(recording, 'sst.aws.CronV2').length + resourcesOf(recording, 'sst.aws.Cron').length === 0) {
    problems.push('no schedule runs the sweeper');
  }
  for (const secret of resourcesOf(recording, 'sst.Secret')) {
    const used = functions.some((fn) =>
      Object.values((fn.args.environment as Record<string, unknown>) ?? {}).some(
        (value) => referencePath(value) === `${secret.name}.value`,
      ),
    );
    if (!used) problems.push(`secret ${secret.name} reaches no function`);
  }
  return problems;
}

/** The functions the recording deploys (plain, queue subscriber, schedule), each with the entry its bundle comes from. */
export function deployedFunctions(recording: Recording, facts: AwsFacts): DeployedFunction[] {
  const raw = [
    ...resourcesOf(recording, 'sst.aws.Function').map((r) => ({ label: `Function ${r.name}`, args: r.args })),
    ...callsOf(recording, /\.subscribe$/).map((call) => ({
      label: `${call.target.replace(/\.subscribe$/, '')} subscriber`,
      args: call.args[0] as Record<string, unknown>,
    })),
    ...[...resourcesOf(recording, 'sst.aws.CronV2'), ...resourcesOf(recording, 'sst.aws.Cron')].map((r) => ({
      label: `Cron ${r.name}`,
      args: (r.args.function ?? r.args.job) as Record<string, unknown>,
    })),
  ];
  return raw.map((fn) => {
    const match = String(fn.args.bundle).match(/^(.*)\/([^/]+)$/);
    const entry =
      match && match[1] === facts.outdir && facts.entries.includes(match[2]!) ? match[2] : undefined;
    return { ...fn, entry };
  });
}

function queueMismatches(recording: Recording, functions: DeployedFunction[]): string[] {
  const subscriptions = callsOf(recording, /\.subscribe$/);
  if (subscriptions.length !== 1)
    return [`expected one queue subscription (the worker), found ${subscriptions.length}`];
  const subscription = subscriptions[0]!;
  const queueName = subscription.target.replace(/\.subscribe$/, '');
  const queue = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === queueName);
  if (!queue) return [`the worker subscribes to ${queueName}, which is not a declared queue`];
  const problems: string[] = [];
  const worker = subscription.args[0] as { bundle?: string; timeout?: string };
  const visibility = seconds(queue.args.visibilityTimeout as string | undefined) ?? 30;
  const timeout = seconds(worker.timeout) ?? 20;
  if (!String(worker.bundle).endsWith('/worker'))
    problems.push(`the run queue's subscriber is ${worker.bundle}, not the worker`);
  if (visibility <= timeout) {
    problems.push(
      `the run queue's visibility timeout (${visibility} s) does not exceed the worker's timeout (${timeout} s)`,
    );
  }
  const batch = (subscription.args[1] as { batch?: { partialResponses?: boolean } } | undefined)?.batch;
  if (batch?.partialResponses !== true) {
    problems.push(
      'the worker subscription has no partial batch responses: its batchItemFailures would be ignored',
    );
  }
  const dlq = queue.args.dlq as { queue?: unknown; retry?: number } | undefined;
  const dlqName = referencePath(dlq?.queue)?.replace(/\.arn$/, '');
  if (!dlqName || !resourcesOf(recording, 'sst.aws.Queue').some((q) => q.name === dlqName)) {
    problems.push('the run queue has no dead-letter queue');
  } else if (!(typeof dlq?.retry === 'number' && dlq.retry >= 1)) {
    problems.push('the run queue sets no maxReceiveCount');
  }
  for (const fn of functions) {
    const environment = (fn.args.environment as Record<string, unknown>) ?? {};
    if (referencePath(environment.BATON_QUEUE_URL) !== `${queueName}.url`) {
      problems.push(
        `${fn.label}: BATON_QUEUE_URL is not the url of ${queueName}, the queue the worker reads`,
      );
    }
    if (dlqName && referencePath(environment.BATON_DLQ_URL) !== `${dlqName}.url`) {
      problems.push(`${fn.label}: BATON_DLQ_URL is not the url of ${dlqName}`);
    }
    const linked = ((fn.args.link as unknown[]) ?? []).map(referencePath);
    for (const name of [queueName, dlqName]) {
      if (name && !linked.includes(name))
        problems.push(`${fn.label}: not linked to ${name}, so it may not send to it`);
    }
  }
  return problems;
}

async function apiMismatches(
  recording: Recording,
  facts: AwsFacts,
  functions: DeployedFunction[],
): Promise<string[]> {
  const problems: string[] = [];
  const http = functions.find((fn) => fn.entry === 'http' && fn.label.startsWith('Function '));
  if (!http) return ['no Function deploys the http handler for the API routes'];
  const httpName = http.label.replace(/^Function /, '');
  const timeout = seconds(http.args.timeout as string | undefined) ?? 20;
  if (timeout * 1000 < facts.httpBudgetMs) {
    problems.push(
      `the http function's timeout (${timeout} s) is shorter than the budget it plans with (${facts.httpBudgetMs} ms)`,
    );
  }
  const routes = callsOf(recording, /\.route$/);
  if (routes.length === 0) problems.push('the API declares no routes');
  for (const route of routes) {
    const [key, handler] = route.args as [string, unknown];
    if (referencePath(handler) !== `${httpName}.arn`)
      problems.push(`route ${key} does not reach the http function`);
    const [, path = ''] = key.split(' ');
    if (path.startsWith('/slack/')) {
      const kind = path.slice('/slack/'.length);
      if (!facts.slackKinds.includes(kind))
        problems.push(`route ${key} is not a Slack request kind (${facts.slackKinds.join(', ')})`);
    } else if (!(await routeIsServed(key))) {
      problems.push(`route ${key} is not one the HTTP handler serves`);
    }
  }
  return problems;
}

/** `300 seconds`, `5 minutes`, `1 hour` in seconds. */
export function seconds(duration: string | undefined): number | undefined {
  const match = duration?.match(/^(\d+) (second|minute|hour)s?$/);
  if (!match) return undefined;
  return Number(match[1]) * { second: 1, minute: 60, hour: 3600 }[match[2] as 'second'];
}
