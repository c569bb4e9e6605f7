import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { API_GATEWAY_BUDGET_MS, LINKED_SECRETS } from '@baton/aws';
import { AWS_ENTRIES } from '@baton/aws/build';
import { PROVIDER_PACKAGES } from '@baton/core';
import { EXPIRES_AT_ATTRIBUTE, tableDefinition } from '@baton/store-dynamodb';
import { iamMismatches, sdkCommandsFrom } from './aws-iam-contract.js';
import { builtBundle } from './built-bundle.js';
import { bundledSources, exportsOf, packageSources, readsOf } from './environment-reads.js';
import { REPO_ROOT } from './infra-copy.js';
import { callsOf, type Recording, referencePath, resourcesOf } from './recording.js';
import { routeIsServed } from './served-routes.js';
import { tableMismatches } from './table-contract.js';

/** What the AWS code says, read from the packages; a test may hand the check a doctored copy. */
export interface AwsFacts {
  /** Handlers a bundle holds (`<dir>/<entry>.mjs` or `<dir>/<entry>/index.mjs`): @baton/aws/build's entries. */
  entries: readonly string[];
  /** The bundle directory the recording was given. */
  bundleDir: string;
  /** Each entry's handler in this repository's real bundle (`baton build aws`). */
  built: ReadonlyMap<string, string>;
  /** AWS SDK commands (`GetItemCommand`, ...) the bundled code and the model providers send. */
  sdkCommands: Set<string>;
  /** The variable each SST secret becomes at cold start (@baton/aws's LINKED_SECRETS). */
  secretVariables: Readonly<Record<string, string>>;
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
  /** Environment variables each entry's code reads (its bundle, plus any model provider it may bundle). */
  reads: Map<string, Set<string>>;
  /** SST links each entry's code reads as `Resource.<Name>`. */
  resourceReads: Map<string, Set<string>>;
  /** Variables read anywhere a deployment may configure: the bundles and every model provider. */
  consumers: Set<string>;
  /** The kinds of Slack request packages/slack answers (its `SlackRequestKind`). */
  slackKinds: string[];
}

/**
 * The facts from the bundle `baton build aws` writes for this repository's baton.config.ts (the
 * sources its source maps name), plus every model provider package: which one a deployment bundles
 * depends on the model its environment names, so each may be in the deployed code.
 */
export async function awsFacts(bundleDir: string): Promise<AwsFacts> {
  const builtDir = await builtBundle('aws');
  const built = new Map(AWS_ENTRIES.map((entry) => [entry, join(builtDir, entry, 'index.mjs')]));
  const providers = await packageSources([...new Set(Object.values(PROVIDER_PACKAGES))], REPO_ROOT);
  const reads = new Map<string, Set<string>>();
  const resourceReads = new Map<string, Set<string>>();
  const all: string[] = [...providers];
  for (const [entry, file] of built) {
    const sources = bundledSources(file);
    all.push(...sources);
    const found = readsOf(sources, providers);
    reads.set(entry, new Set(found.variables.keys()));
    resourceReads.set(entry, new Set(found.resources.keys()));
  }
  const kinds = readFileSync(join(REPO_ROOT, 'packages/slack/src/slack-http.ts'), 'utf8').match(
    /export type SlackRequestKind = ([^;]+);/,
  );
  return {
    entries: AWS_ENTRIES,
    bundleDir,
    built,
    sdkCommands: sdkCommandsFrom([...new Set(all)]),
    secretVariables: LINKED_SECRETS,
    table: {
      attributes: tableDefinition.AttributeDefinitions,
      keySchema: tableDefinition.KeySchema,
      indexes: tableDefinition.GlobalSecondaryIndexes,
      ttlAttribute: EXPIRES_AT_ATTRIBUTE,
    },
    httpBudgetMs: API_GATEWAY_BUDGET_MS,
    reads,
    resourceReads,
    consumers: new Set(readsOf(all).variables.keys()),
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
    const [, exported] = String(fn.args.handler).split('.');
    if (fn.entry === undefined) {
      problems.push(
        `${fn.label}: bundle ${bundle} handler ${fn.args.handler} is not a handler of the bundle (${facts.bundleDir}/{${facts.entries.join(',')}}.mjs)`,
      );
      continue;
    }
    if (fn.args.runtime !== 'nodejs24.x')
      problems.push(`${fn.label}: runtime ${fn.args.runtime} is not nodejs24.x`);
    const source = facts.built.get(fn.entry) ?? '';
    if (!existsSync(source))
      problems.push(`${fn.label}: the built ${fn.entry} handler ${source} does not exist`);
    else if (!(await exportsOf(source)).includes(exported ?? '')) {
      problems.push(`${fn.label}: the built ${relative(REPO_ROOT, source)} exports no "${exported}"`);
    }
    const environment = (fn.args.environment as Record<string, unknown>) ?? {};
    const declared = new Set(Object.keys(environment));
    const links = ((fn.args.link as unknown[]) ?? []).map(referencePath);
    const secretNames = new Set(resourcesOf(recording, 'sst.Secret').map((secret) => secret.name));
    for (const [name, value] of Object.entries(environment)) {
      const path = referencePath(value) ?? '';
      if (secretNames.has(path.replace(/\.value$/, ''))) {
        problems.push(
          `${fn.label}: ${name} carries secret ${path.replace(/\.value$/, '')} as a plain environment value`,
        );
      }
    }
    for (const link of links) {
      if (!link || !secretNames.has(link))
        problems.push(
          `${fn.label}: links ${link}, whose link grants wildcard actions; grant what it calls instead`,
        );
      else if (!(link in facts.secretVariables))
        problems.push(`${fn.label}: links secret ${link}, which the handlers never copy into a variable`);
    }
    // A linked secret reaches the handler as the variable it reads (linked-secrets at cold start).
    for (const [secret, variable] of Object.entries(facts.secretVariables)) {
      if (links.includes(secret)) declared.add(variable);
    }
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
    for (const name of Object.keys(environment)) {
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
  problems.push(...iamMismatches(recording, facts, functions));
  problems.push(...alarmMismatches(recording));
  problems.push(...(await apiMismatches(recording, facts, functions)));

  if (resourcesOf(recording, 'sst.aws.CronV2').length + resourcesOf(recording, 'sst.aws.Cron').length === 0) {
    problems.push('no schedule runs the sweeper');
  }
  for (const secret of resourcesOf(recording, 'sst.Secret')) {
    const used = functions.some((fn) =>
      ((fn.args.link as unknown[]) ?? []).map(referencePath).includes(secret.name),
    );
    if (!used) problems.push(`secret ${secret.name} reaches no function`);
  }
  return problems;
}

/** The functions the recording deploys (plain and scheduled), each with the bundle entry its handler is. */
export function deployedFunctions(recording: Recording, facts: AwsFacts): DeployedFunction[] {
  const raw = [
    ...resourcesOf(recording, 'sst.aws.Function').map((r) => ({ label: `Function ${r.name}`, args: r.args })),
    ...[...resourcesOf(recording, 'sst.aws.CronV2'), ...resourcesOf(recording, 'sst.aws.Cron')].map((r) => ({
      label: `Cron ${r.name}`,
      args: (r.args.function ?? r.args.job) as Record<string, unknown>,
    })),
  ];
  return raw.map((fn) => {
    const bundle = String(fn.args.bundle);
    const [file = '', exported] = String(fn.args.handler).split('.');
    const entry = facts.entries.find(
      (name) =>
        exported !== undefined &&
        ((bundle === facts.bundleDir && file === name) ||
          (bundle === join(facts.bundleDir, name) && file === 'index')),
    );
    return { ...fn, entry };
  });
}

function queueMismatches(recording: Recording, functions: DeployedFunction[]): string[] {
  const mappings = resourcesOf(recording, 'aws.lambda.EventSourceMapping');
  if (mappings.length !== 1) return [`expected one SQS event source (the worker), found ${mappings.length}`];
  const mapping = mappings[0]!.args as {
    eventSourceArn?: unknown;
    functionName?: unknown;
    functionResponseTypes?: string[];
    scalingConfig?: { maximumConcurrency?: unknown };
  };
  const queueName = referencePath(mapping.eventSourceArn)?.replace(/\.arn$/, '') ?? '';
  const queue = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === queueName);
  if (!queue) return [`the event source reads ${queueName || 'nothing'}, which is not a declared queue`];
  const problems: string[] = [];
  const workerName = referencePath(mapping.functionName)?.replace(/\.name$/, '');
  const worker = functions.find((fn) => fn.label === `Function ${workerName}`);
  if (worker?.entry !== 'worker')
    problems.push(`the run queue's event source invokes ${workerName}, not the worker`);
  const visibility = seconds(queue.args.visibilityTimeout as string | undefined) ?? 30;
  const timeout = seconds(worker?.args.timeout as string | undefined) ?? 20;
  if (visibility <= timeout) {
    problems.push(
      `the run queue's visibility timeout (${visibility} s) does not exceed the worker's timeout (${timeout} s)`,
    );
  }
  if (!mapping.functionResponseTypes?.includes('ReportBatchItemFailures')) {
    problems.push(
      'the worker event source has no partial batch responses: its batchItemFailures would be ignored',
    );
  }
  const concurrency = mapping.scalingConfig?.maximumConcurrency;
  if (!(typeof concurrency === 'number' && concurrency >= 2 && concurrency <= 1000)) {
    problems.push(`the worker event source has no maximum concurrency (got ${String(concurrency)})`);
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
    if (typeof dlq?.retry === 'number' && environment.BATON_MAX_RECEIVES !== String(dlq.retry)) {
      problems.push(
        `${fn.label}: BATON_MAX_RECEIVES is ${String(environment.BATON_MAX_RECEIVES)}, not the run queue's maxReceiveCount ${dlq.retry}`,
      );
    }
  }
  return problems;
}

/** The dead-letter queue raises a CloudWatch alarm on its first message. */
function alarmMismatches(recording: Recording): string[] {
  const subscription = resourcesOf(recording, 'aws.lambda.EventSourceMapping')[0];
  const runsName = referencePath(subscription?.args.eventSourceArn)?.replace(/\.arn$/, '');
  const runs = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === runsName);
  const dlqName = referencePath((runs?.args.dlq as { queue?: unknown } | undefined)?.queue)?.replace(
    /\.arn$/,
    '',
  );
  const alarm = resourcesOf(recording, 'aws.cloudwatch.MetricAlarm').find(
    (a) =>
      referencePath((a.args.dimensions as { QueueName?: unknown } | undefined)?.QueueName) ===
      `${dlqName}.nodes.queue.name`,
  );
  if (!alarm) return ['no CloudWatch alarm watches the dead-letter queue'];
  const args = alarm.args as Record<string, unknown>;
  if (
    args.namespace !== 'AWS/SQS' ||
    args.metricName !== 'ApproximateNumberOfMessagesVisible' ||
    args.threshold !== 0 ||
    args.comparisonOperator !== 'GreaterThanThreshold'
  ) {
    return ['the dead-letter alarm does not fire on the first visible message'];
  }
  if (!((args.alarmActions as unknown[]) ?? []).length) return ['the dead-letter alarm notifies nobody'];
  return [];
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
