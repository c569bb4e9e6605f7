import { fileURLToPath } from 'node:url';
import { type ServeProcess, startServe as startServeConfig } from '../../e2e/serve-config-process.js';

export type { ServeProcess };

const CONFIG = fileURLToPath(new URL('./soak-local.config.ts', import.meta.url));

/**
 * `baton serve --config soak-local.config.ts` as a child process on a free port of 127.0.0.1,
 * resolved once it prints where it listens. `env` adds to the parent's environment (the data dir,
 * the model's base URL, the ledger).
 */
export function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  return startServeConfig(CONFIG, env, timeoutMs);
}
