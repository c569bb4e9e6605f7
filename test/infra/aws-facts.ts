import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_GATEWAY_BUDGET_MS, LINKED_SECRETS } from '@baton/aws';
import { AWS_ENTRIES } from '@baton/aws/build';
import { API_ROUTES, PROVIDER_PACKAGES } from '@baton/core';
import { EXPIRES_AT_ATTRIBUTE, tableDefinition } from '@baton/store-dynamodb';
import { sdkCommandsFrom } from './aws-iam-contract.js';
import { builtBundle } from './built-bundle.js';
import { bundledSources, packageSources, readsOf } from './environment-reads.js';
import { REPO_ROOT } from './infra-copy.js';
import { publicRouteShapes } from './served-routes.js';

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
  /** Core's API routes (`POST /sessions/{id}/cancel`, ...), each of which API Gateway must declare. */
  apiRoutes: readonly string[];
  /** Core's API routes anyone may call (access `public`), as route shapes (`GET /healthz`). */
  publicRoutes: Set<string>;
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
    publicRoutes: publicRouteShapes(API_ROUTES),
    apiRoutes: API_ROUTES.map((spec) => `${spec.method} ${spec.path}`),
  };
}
