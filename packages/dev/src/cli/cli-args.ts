import { type ParseArgsConfig, parseArgs } from 'node:util';
import { sessionRef } from '@baton/core';
import { type CliIo, UsageError } from './cli-io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every session command takes: where the store is, and which tenant. */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  db: { type: 'string' },
  table: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  key: { type: 'string' },
  database: { type: 'string' },
  container: { type: 'string' },
  'insecure-tls': { type: 'boolean' },
  tenant: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const STORE_HELP = `Store (flags, or the environment):
  --store sqlite|dynamodb|cosmos   BATON_STORE (default sqlite)
  --db PATH                        SQLite file: BATON_DB, else BATON_DATA_DIR/baton.db (default .baton/baton.db)
  --table NAME                     DynamoDB table: BATON_TABLE
  --endpoint URL                   DynamoDB (AWS_ENDPOINT_URL_DYNAMODB) or Cosmos DB (COSMOS_ENDPOINT) endpoint
  --region REGION                  AWS_REGION
  --key KEY                        Cosmos DB key: COSMOS_KEY
  --database NAME --container NAME Cosmos DB: BATON_COSMOS_DATABASE, BATON_COSMOS_CONTAINER
  --insecure-tls                   accept a self-signed certificate (local emulators only)
  --tenant NAME                    the tenant (default "default")
`;

export interface ParsedCommand<V> {
  values: V;
  positionals: string[];
}

/**
 * Parses a command's flags strictly (an unknown flag is a usage error, never ignored) and answers
 * `--help` with the command's usage. Returns null when help was printed.
 */
export function parseCommand<const O extends Options>(
  io: CliIo,
  argv: string[],
  spec: { usage: string; options: O; positionals: [min: number, max: number] },
): ParsedCommand<
  ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']
> | null {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout.write(spec.usage);
    return null;
  }
  const [min, max] = spec.positionals;
  if (parsed.positionals.length < min) throw new UsageError('missing arguments');
  if (parsed.positionals.length > max) throw new UsageError(`unexpected argument ${parsed.positionals[max]}`);
  return { values: parsed.values, positionals: parsed.positionals };
}

export function tenantOf(values: { tenant?: string | undefined }): string {
  return sessionRef(values.tenant ?? 'default', 'x').tenant;
}

/** A whole number flag, with bounds. */
export function intFlag(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new UsageError(`--${name} must be an integer of at least ${min}`);
  return number;
}
