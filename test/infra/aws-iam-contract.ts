import { readFileSync } from 'node:fs';
import { PENDING_INDEX_NAME } from '@baton/store-dynamodb';
import type { DeployedFunction } from './aws-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { type Recording, referencePath, resourcesOf, text } from './recording.js';

/**
 * The IAM actions each AWS SDK command the handlers send needs. TransactWriteItems is checked per
 * contained action; the store's transactions hold Puts only (store-dynamodb commit-plan.ts).
 */
export const COMMAND_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  GetItemCommand: ['dynamodb:GetItem'],
  QueryCommand: ['dynamodb:Query'],
  ScanCommand: ['dynamodb:Scan'],
  TransactWriteItemsCommand: ['dynamodb:PutItem'],
  DeleteItemCommand: ['dynamodb:DeleteItem'],
  BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
  SendMessageCommand: ['sqs:SendMessage'],
  ChangeMessageVisibilityCommand: ['sqs:ChangeMessageVisibility'],
  ConverseCommand: ['bedrock:InvokeModel'],
  ConverseStreamCommand: ['bedrock:InvokeModelWithResponseStream'],
  InvokeInlineAgentCommand: ['bedrock:InvokeInlineAgent'],
  // Setup for tests and local runs; no handler path creates tables.
  CreateTableCommand: [],
  UpdateTimeToLiveCommand: [],
  // API keys are created and revoked by `baton keys` with the operator's credentials; the deployed
  // functions only look them up (GetItem), so their roles get neither action.
  PutItemCommand: [],
  UpdateItemCommand: [],
};

/** What Lambda's SQS event source polls with, on the worker's role. */
const EVENT_SOURCE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Exactly what each function may do, as `action on resource` lines (resources by the recording's
 * names): the contract a policy is held to in both directions, so a widened or a missing grant is
 * reported. The HTTP function answers the API and enqueues; the worker also consumes the run
 * queue and dead-letters; the sweeper only queries the pending index and enqueues.
 */
export function expectedGrants(
  role: string,
  names: { table: string; runs: string; dlq: string },
): Set<string> {
  const table = [`\${${names.table}.arn}`, `\${${names.table}.arn}/index/*`];
  const runs = `\${${names.runs}.arn}`;
  const on = (actions: string[], resources: string[]) =>
    actions.flatMap((action) => resources.map((resource) => `${action} on ${resource}`));
  switch (role) {
    case 'http':
      return new Set([...on([...READ, ...WRITE], table), ...on(['sqs:SendMessage'], [runs])]);
    case 'worker':
      return new Set([
        ...on([...READ, ...WRITE], table),
        ...on(['sqs:SendMessage', 'sqs:ChangeMessageVisibility', ...EVENT_SOURCE_ACTIONS], [runs]),
        ...on(['sqs:SendMessage'], [`\${${names.dlq}.arn}`]),
      ]);
    case 'sweeper':
      // listPending: a Query of the sparse pending index, never a Scan or a read of the table.
      return new Set([
        ...on(['dynamodb:Query'], [`\${${names.table}.arn}/index/${PENDING_INDEX_NAME}`]),
        ...on(['sqs:SendMessage'], [runs]),
      ]);
    default:
      return new Set();
  }
}

/** `GetItemCommand`, ... constructed anywhere in the files. */
export function sdkCommandsFrom(files: readonly string[]): Set<string> {
  const commands = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/new (\w+Command)\(/g)) commands.add(match[1]!);
  }
  return commands;
}

/** The grants of one function's `permissions`, as `action on resource` lines. */
export function grantsOf(fn: DeployedFunction): string[] {
  const permissions = (fn.args.permissions as { actions?: string[]; resources?: unknown[] }[]) ?? [];
  return permissions.flatMap((p) =>
    (p.actions ?? []).flatMap((action) => (p.resources ?? []).map((r) => `${action} on ${text(r)}`)),
  );
}

const isBedrock = (grant: string) => /^(bedrock|aws-marketplace):/.test(grant);

/** How the functions' IAM grants differ from what their code calls (Bedrock is checked on its own). */
export function iamMismatches(
  recording: Recording,
  facts: AwsFacts,
  functions: DeployedFunction[],
): string[] {
  const problems: string[] = [];
  const table = resourcesOf(recording, 'sst.aws.Dynamo')[0]?.name ?? '';
  const mapping = resourcesOf(recording, 'aws.lambda.EventSourceMapping')[0];
  const runs = referencePath(mapping?.args.eventSourceArn)?.replace(/\.arn$/, '') ?? '';
  const runsQueue = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === runs);
  const dlq =
    referencePath((runsQueue?.args.dlq as { queue?: unknown } | undefined)?.queue)?.replace(/\.arn$/, '') ??
    '';
  for (const command of facts.sdkCommands) {
    const actions = COMMAND_ACTIONS[command];
    if (!actions)
      problems.push(`the handlers send ${command}, which the IAM contract does not map to actions`);
  }
  for (const fn of functions) {
    if (!fn.entry) continue;
    const grants = grantsOf(fn);
    for (const grant of grants) {
      const [action = '', resource = ''] = grant.split(' on ');
      if (action.includes('*')) problems.push(`${fn.label}: grants the wildcard action ${action}`);
      if (resource === '*' && !action.startsWith('aws-marketplace:'))
        problems.push(`${fn.label}: grants ${action} on every resource (*)`);
    }
    const expected = expectedGrants(fn.entry, { table, runs, dlq });
    const granted = new Set(grants.filter((grant) => !isBedrock(grant)));
    for (const grant of granted) {
      if (!expected.has(grant))
        problems.push(`${fn.label}: grants ${grant}, which the ${fn.entry} handler does not need`);
    }
    for (const grant of expected) {
      if (!granted.has(grant))
        problems.push(`${fn.label}: lacks ${grant}, which the ${fn.entry} handler calls`);
    }
  }
  // Every store and queue action the code sends is granted to the function that runs everything.
  const worker = functions.find((fn) => fn.entry === 'worker');
  const workerActions = new Set((worker ? grantsOf(worker) : []).map((grant) => grant.split(' on ')[0]));
  for (const command of facts.sdkCommands) {
    for (const action of COMMAND_ACTIONS[command] ?? []) {
      if (!action.startsWith('bedrock:') && !workerActions.has(action))
        problems.push(`the handlers send ${command}, but no grant allows ${action}`);
    }
  }
  return problems;
}
