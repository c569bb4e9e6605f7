import { modelSetting } from '@baton/core';

/**
 * The IAM grants of each Lambda function: exactly the actions its code calls, on exactly its
 * resources. Nothing is granted through SST `link` for the table and queues, because a link grants
 * `dynamodb:*` / `sqs:*`; test/infra holds these lists against the SDK calls the handlers make.
 */
export type FunctionRole = 'http' | 'worker' | 'sweeper';

/** What @baton/store-dynamodb reads with: GetItem, Query, Scan (the list index). */
export const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'] as const;
/**
 * What it writes with: TransactWriteItems of Puts only (IAM checks each Put as dynamodb:PutItem),
 * DeleteItem and BatchWriteItem (deleting a session).
 */
export const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
/** The table's pending index (@baton/store-dynamodb's PENDING_INDEX_NAME), the sweeper's only read. */
export const PENDING_INDEX = 'by-pending';
/** What the worker does to the run queue besides sending: the event source mapping's polling and the record's own visibility changes. */
export const QUEUE_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

export interface Permission {
  actions: string[];
  resources: $util.Input<string>[];
}

export interface PermissionTargets {
  table: { arn: $util.Input<string> };
  runs: { arn: $util.Input<string> };
  deadLetters: { arn: $util.Input<string> };
}

/** The table and queue grants of one function. */
export function functionPermissions(role: FunctionRole, targets: PermissionTargets): Permission[] {
  const table = [targets.table.arn, $interpolate`${targets.table.arn}/index/*`];
  const send = { actions: ['sqs:SendMessage'], resources: [targets.runs.arn] };
  switch (role) {
    case 'http':
      return [{ actions: [...TABLE_READ, ...TABLE_WRITE], resources: table }, send];
    case 'worker':
      return [
        { actions: [...TABLE_READ, ...TABLE_WRITE], resources: table },
        { actions: ['sqs:SendMessage', ...QUEUE_CONSUME], resources: [targets.runs.arn] },
        { actions: ['sqs:SendMessage'], resources: [targets.deadLetters.arn] },
      ];
    case 'sweeper':
      // The sweep reads only the sparse pending index (listPending): one Query per shard and page.
      return [
        {
          actions: ['dynamodb:Query'],
          resources: [$interpolate`${targets.table.arn}/index/${PENDING_INDEX}`],
        },
        send,
      ];
  }
}

/** Cross-region inference profiles carry a geography prefix before the model id. */
const PROFILE_PREFIX = /^(us|us-gov|eu|apac|jp|au|ca|global)\./;

export interface AwsAccount {
  partition: $util.Input<string>;
  region: $util.Input<string>;
  accountId: $util.Input<string>;
}

/**
 * The Bedrock grants for the model the handlers will call, read from the deploy environment the
 * way they read it (core's modelSetting: `BATON_MODEL_PROVIDER` + `BATON_MODEL`, or the short form
 * `BATON_MODEL=bedrock:<id>`), plus any `extraModels` an agent names in code. Converse needs
 * InvokeModel(+WithResponseStream) on the foundation model, and on the inference profile when the
 * id is one (the profile routes to the model in several regions, hence `*` as the model's region);
 * bedrock-agent adds InvokeInlineAgent. A third-party model (anything not `amazon.*`) needs the AWS
 * Marketplace subscription actions, which have no resource type. Empty when no Bedrock model is
 * configured (OpenAI models on Bedrock use a Bedrock API key, not the role).
 *
 * @example
 * bedrockPermissions({ BATON_MODEL: 'bedrock:us.amazon.nova-pro-v1:0' }, [], account);
 */
export function bedrockPermissions(
  env: Record<string, string | undefined>,
  extraModels: readonly string[],
  account: AwsAccount,
): Permission[] {
  const { provider, model } = modelSetting(env);
  const viaRole = provider === 'bedrock' || provider === 'bedrock-agent';
  const models = [...new Set([...(viaRole && model ? [model] : []), ...extraModels])];
  if (models.length === 0 && !viaRole) return [];
  const { partition, region, accountId } = account;
  const resources: $util.Input<string>[] = [];
  const bases = new Set<string>();
  for (const id of models.length > 0 ? models : ['*']) {
    const base = id.replace(PROFILE_PREFIX, '');
    bases.add(base);
    if (id === '*' || PROFILE_PREFIX.test(id)) {
      resources.push($interpolate`arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${id}`);
      resources.push($interpolate`arn:${partition}:bedrock:*::foundation-model/${base}`);
    } else {
      resources.push($interpolate`arn:${partition}:bedrock:${region}::foundation-model/${id}`);
    }
  }
  const actions = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
  if (provider === 'bedrock-agent') actions.push('bedrock:InvokeInlineAgent');
  const permissions: Permission[] = [{ actions, resources }];
  if ([...bases].some((base) => !base.startsWith('amazon.'))) {
    permissions.push({
      actions: ['aws-marketplace:ViewSubscriptions', 'aws-marketplace:Subscribe'],
      resources: ['*'],
    });
  }
  return permissions;
}
