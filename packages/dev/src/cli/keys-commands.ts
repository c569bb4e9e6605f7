import { formatTime } from '@baton/console';
import {
  type ApiKeyRecord,
  type ApiKeyStore,
  type Clock,
  generateApiKey,
  SCOPES,
  type Scope,
  systemClock,
} from '@baton/core';
import { parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo, UsageError } from './cli-io.js';
import { type OpenedStore, openStore } from './store-selection.js';
import { terminalSafe, textTable } from './text-table.js';

export const KEYS_USAGE = `Usage: baton keys <command> [options]

Commands:
  create --tenant T [--scopes send,read,approve] [--name N]   a new API key, printed once
  list [--tenant T] [--json]                                  keys (never a secret or its hash)
  revoke <keyId>                                              the key stops working at once

Keys live hashed in the store \`baton serve\` and the deployed hosts read (\`auth: apiKeys()\`).
Every command takes --store sqlite|dynamodb|cosmos and its settings.
`;

const CREATE_USAGE = `Usage: baton keys create --tenant T [options]

Creates an API key bound to one tenant. The key is printed once on stdout (its keyId, tenant and
scopes on stderr) and is not kept anywhere: the store holds only the SHA-256 of its secret.

Options:
  --tenant T         the tenant the key acts for (required)
  --scopes LIST      comma-separated, of ${SCOPES.join(', ')} (default send,read,approve)
  --name N           what the key is for ("ci", "slack-bridge")
  --json             {"key", "keyId", "tenant", "scopes", "name", "createdAt"} on stdout
  -h, --help

${STORE_HELP}`;

const LIST_USAGE = `Usage: baton keys list [options]

Lists API keys, revoked ones included: keyId, tenant, scopes, name, created, revoked. Never a
key's secret or its hash.

Options:
  --tenant T         one tenant's keys (default: every tenant's)
  --json             one JSON object per key (JSON Lines)
  -h, --help

${STORE_HELP}`;

const REVOKE_USAGE = `Usage: baton keys revoke <keyId> [options]

Revokes the key: every request with it, and every console sign-in made with it, is refused from
now on. Revoking again keeps the first time.

Options:
  -h, --help

${STORE_HELP}`;

/** `baton keys create | list | revoke`. Returns the exit code; errors are thrown for runCli to print. */
export async function keysCommand(
  io: CliIo,
  command: string | undefined,
  argv: string[],
  clock: Clock = systemClock,
): Promise<number | null> {
  switch (command) {
    case 'create':
      return keysCreate(io, argv, clock);
    case 'list':
      return keysList(io, argv);
    case 'revoke':
      return keysRevoke(io, argv, clock);
    default:
      return null;
  }
}

async function keysCreate(io: CliIo, argv: string[], clock: Clock): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: CREATE_USAGE,
    options: {
      ...STORE_OPTIONS,
      scopes: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: [0, 0],
  });
  if (!parsed) return 0;
  const { values } = parsed;
  if (values.tenant === undefined)
    throw new UsageError('keys create needs --tenant (the tenant the key acts for)');
  const tenant = tenantOf(values);
  const scopes = values.scopes === undefined ? undefined : parseScopes(values.scopes);
  if (values.name !== undefined && !/^[\x20-\x7e]{1,64}$/.test(values.name))
    throw new UsageError('--name must be 1-64 printable ASCII characters');
  const { key, record } = generateApiKey(
    { tenant, ...(scopes ? { scopes } : {}), ...(values.name !== undefined ? { name: values.name } : {}) },
    clock,
  );
  const opened = await openStore(values, io, { newSqliteFile: true });
  try {
    await keyStore(opened).createApiKey(record);
  } finally {
    await opened.close();
  }
  if (values.json) {
    const { secretHash: _, ...shown } = record;
    io.stdout.write(`${JSON.stringify({ key, ...shown })}\n`);
  } else {
    io.stdout.write(`${key}\n`);
  }
  const named = record.name !== undefined ? `; name ${record.name}` : '';
  io.stderr.write(
    `created key ${record.keyId} for tenant ${record.tenant} (scopes ${record.scopes.join(', ')}${named}) in ${opened.description}\n`,
  );
  io.stderr.write('the key is shown this once and stored only as a hash: keep it now\n');
  return 0;
}

async function keysList(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: LIST_USAGE,
    options: { ...STORE_OPTIONS, json: { type: 'boolean' } },
    positionals: [0, 0],
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const tenant = values.tenant === undefined ? undefined : tenantOf(values);
  const opened = await openStore(values, io);
  let records: ApiKeyRecord[];
  try {
    records = await keyStore(opened).listApiKeys(tenant === undefined ? {} : { tenant });
  } finally {
    await opened.close();
  }
  if (values.json) {
    for (const record of records) io.stdout.write(`${JSON.stringify(shownRecord(record))}\n`);
    return 0;
  }
  if (records.length === 0) {
    io.stderr.write(
      `no API keys${tenant !== undefined ? ` for tenant ${tenant}` : ''} in ${opened.description}\n`,
    );
    return 0;
  }
  const rows = records.map((record) => [
    record.keyId,
    record.tenant,
    record.scopes.join(','),
    terminalSafe(record.name ?? ''),
    formatTime(record.createdAt),
    record.revokedAt === undefined ? '' : formatTime(record.revokedAt),
  ]);
  io.stdout.write(textTable(['KEY ID', 'TENANT', 'SCOPES', 'NAME', 'CREATED', 'REVOKED'], rows));
  return 0;
}

async function keysRevoke(io: CliIo, argv: string[], clock: Clock): Promise<number> {
  const parsed = parseCommand(io, argv, { usage: REVOKE_USAGE, options: STORE_OPTIONS, positionals: [1, 1] });
  if (!parsed) return 0;
  const keyId = parsed.positionals[0]!;
  const opened = await openStore(parsed.values, io);
  try {
    const revoked = await keyStore(opened).revokeApiKey(keyId, clock.now());
    if (!revoked) throw new CliError(`no API key ${terminalSafe(keyId)} in ${opened.description}`);
    io.stdout.write(
      `revoked key ${revoked.keyId} of tenant ${revoked.tenant} (at ${formatTime(revoked.revokedAt ?? clock.now())})\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

/** `send,read` to scopes; an unknown one is a usage error that names the known ones. */
export function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  if (scopes.length === 0) throw new UsageError(`--scopes needs at least one of ${SCOPES.join(', ')}`);
  for (const scope of scopes) {
    if (!SCOPES.includes(scope as Scope))
      throw new UsageError(`unknown scope ${terminalSafe(scope)}: use ${SCOPES.join(', ')}`);
  }
  return [...new Set(scopes as Scope[])];
}

function keyStore(opened: OpenedStore): ApiKeyStore {
  if (!opened.store.apiKeys) throw new CliError(`${opened.description} keeps no API keys`);
  return opened.store.apiKeys;
}

/** What a listing shows of a key: everything but the hash of its secret. */
function shownRecord(record: ApiKeyRecord): Omit<ApiKeyRecord, 'secretHash'> {
  const { secretHash: _, ...shown } = record;
  return shown;
}
