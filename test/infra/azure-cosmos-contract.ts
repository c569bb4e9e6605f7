import type { AzureFacts } from './azure-facts.js';
import { type Recording, referencePath, resourcesOf, text } from './recording.js';

/** Cosmos DB's data-plane Built-in Data Contributor. */
const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/** How the Cosmos DB account, database and container differ from the store's and the app's settings. */
export function cosmosMismatches(
  recording: Recording,
  facts: AzureFacts,
  settings: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const accounts = resourcesOf(recording, 'azurenative.cosmosdb.DatabaseAccount');
  if (accounts.length !== 1) return [`expected one Cosmos DB account, found ${accounts.length}`];
  const account = accounts[0]!;
  const capabilities = (account.args.capabilities as { name: string }[] | undefined) ?? [];
  if (!capabilities.some((c) => c.name === 'EnableServerless'))
    problems.push('the Cosmos DB account is not serverless');
  if (account.args.disableLocalAuth !== true) problems.push('the Cosmos DB account still accepts keys');
  if (settings.get('COSMOS_ENDPOINT') !== `\${${account.name}.documentEndpoint}`)
    problems.push("COSMOS_ENDPOINT is not the account's endpoint");
  const app = resourcesOf(recording, 'azurenative.web.WebApp')[0]!;
  const rbac = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlRoleAssignment').some(
    (a) =>
      text(a.args.roleDefinitionId) ===
        `\${${account.name}.id}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}` &&
      referencePath(a.args.scope) === `${account.name}.id` &&
      referencePath(a.args.principalId) === `${app.name}.identity.principalId`,
  );
  if (!rbac) problems.push("the app's identity holds no Cosmos DB data role on the account");
  const database = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlDatabase')[0];
  const wantedDatabase = settings.get('BATON_COSMOS_DATABASE');
  if (
    !database ||
    database.args.databaseName !== wantedDatabase ||
    (database.args.resource as { id?: string })?.id !== wantedDatabase
  )
    problems.push(`no database ${String(wantedDatabase)} (BATON_COSMOS_DATABASE) is declared`);
  const container = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlContainer')[0];
  const wantedContainer = settings.get('BATON_COSMOS_CONTAINER');
  const resource = (container?.args.resource ?? {}) as Record<string, unknown>;
  if (!container || container.args.containerName !== wantedContainer || resource.id !== wantedContainer) {
    problems.push(`no container ${String(wantedContainer)} (BATON_COSMOS_CONTAINER) is declared`);
    return problems;
  }
  if (database && referencePath(container.args.databaseName) !== `${database.name}.name`)
    problems.push('the container is not in the declared database');
  for (const field of ['partitionKey', 'defaultTtl', 'indexingPolicy'] as const) {
    if (canonical(resource[field]) !== canonical(facts.container[field])) {
      problems.push(
        `container ${field} ${JSON.stringify(resource[field])} differs from the store's ${JSON.stringify(facts.container[field])}`,
      );
    }
  }
  return problems;
}

/** JSON with object keys sorted, so key order never counts as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
