import type { DeployedFunction } from './aws-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { type Recording, referencePath, resourcesOf } from './recording.js';

/** How the recorded DynamoDB table differs from the store's tableDefinition and TTL attribute. */
export function tableMismatches(
  recording: Recording,
  facts: AwsFacts,
  functions: DeployedFunction[],
): string[] {
  const tables = resourcesOf(recording, 'sst.aws.Dynamo');
  if (tables.length !== 1) return [`expected one DynamoDB table, found ${tables.length}`];
  const table = tables[0]!;
  const problems: string[] = [];
  const args = table.args as {
    fields?: Record<string, string>;
    primaryIndex?: { hashKey?: string; rangeKey?: string };
    globalIndexes?: Record<string, { hashKey?: string; rangeKey?: string; projection?: unknown }>;
    ttl?: string;
  };
  const type = { string: 'S', number: 'N', binary: 'B' } as Record<string, string>;
  const fields = Object.entries(args.fields ?? {}).map(([name, kind]) => `${name}:${type[kind] ?? kind}`);
  const expectedFields = facts.table.attributes.map((a) => `${a.AttributeName}:${a.AttributeType}`);
  if (fields.sort().join() !== expectedFields.sort().join()) {
    problems.push(`table fields ${fields.join(', ')} differ from the store's ${expectedFields.join(', ')}`);
  }
  const key = (schema: { AttributeName: string; KeyType: string }[], type: string) =>
    schema.find((k) => k.KeyType === type)?.AttributeName;
  if (args.primaryIndex?.hashKey !== key(facts.table.keySchema, 'HASH')) {
    problems.push(
      `table hash key ${args.primaryIndex?.hashKey} is not the store's ${key(facts.table.keySchema, 'HASH')}`,
    );
  }
  if (args.primaryIndex?.rangeKey !== key(facts.table.keySchema, 'RANGE')) {
    problems.push(
      `table range key ${args.primaryIndex?.rangeKey} is not the store's ${key(facts.table.keySchema, 'RANGE')}`,
    );
  }
  const declared = args.globalIndexes ?? {};
  for (const index of facts.table.indexes) {
    const got = declared[index.IndexName];
    if (!got) {
      problems.push(`the store queries index ${index.IndexName}, which the table does not declare`);
      continue;
    }
    if (got.hashKey !== key(index.KeySchema, 'HASH') || got.rangeKey !== key(index.KeySchema, 'RANGE')) {
      problems.push(`index ${index.IndexName} keys ${got.hashKey}/${got.rangeKey} differ from the store's`);
    }
    const projection =
      index.Projection.ProjectionType === 'INCLUDE'
        ? [...(index.Projection.NonKeyAttributes ?? [])].sort()
        : index.Projection.ProjectionType === 'KEYS_ONLY'
          ? 'keys-only'
          : 'all';
    const gotProjection = Array.isArray(got.projection)
      ? [...got.projection].sort()
      : (got.projection ?? 'all');
    if (JSON.stringify(gotProjection) !== JSON.stringify(projection)) {
      problems.push(
        `index ${index.IndexName} projects ${JSON.stringify(gotProjection)}, the store reads ${JSON.stringify(projection)}`,
      );
    }
  }
  for (const name of Object.keys(declared)) {
    if (!facts.table.indexes.some((index) => index.IndexName === name))
      problems.push(`index ${name} is not one the store uses`);
  }
  if (args.ttl !== facts.table.ttlAttribute) {
    problems.push(`table TTL attribute ${args.ttl} is not the store's ${facts.table.ttlAttribute}`);
  }
  for (const fn of functions) {
    const environment = (fn.args.environment as Record<string, unknown>) ?? {};
    if (referencePath(environment.BATON_TABLE) !== `${table.name}.name`) {
      problems.push(`${fn.label}: BATON_TABLE is not the table's name`);
    }
  }
  return problems;
}
