import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Azurite's queue service (npm `azurite`, pure Node), in memory, on a free port on 127.0.0.1.
 * Provides `azuriteQueueConnection`: a connection string for Azurite's well-known development
 * account, the one `UseDevelopmentStorage=true` stands for, pointing at this port.
 */

const ACCOUNT = 'devstoreaccount1';
/** Azurite's published development key (not a secret: every Azurite accepts it). */
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 50;

export const azurite = {
  name: 'azurite',
  async start(): Promise<{ provide: Record<string, string>; stop(): Promise<void> }> {
    const port = await freePort();
    // Azurite refuses --location with --inMemoryPersistence; its working directory keeps any stray file out of the repo.
    const location = await mkdtemp(join(tmpdir(), 'baton-azurite-'));
    const child = spawn(
      join(process.cwd(), 'node_modules', '.bin', 'azurite-queue'),
      [
        '--inMemoryPersistence',
        '--skipApiVersionCheck',
        '--disableTelemetry',
        '--silent',
        '--queueHost',
        '127.0.0.1',
        '--queuePort',
        String(port),
      ],
      { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        reject(new Error(`azurite-queue exited (${signal ?? code}) before it answered:\n${output.join('')}`));
      });
    });
    exited.catch(() => {});
    const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
    try {
      await Promise.race([waitUntilAnswering(endpoint), exited]);
    } catch (error) {
      child.kill('SIGKILL');
      await rm(location, { recursive: true, force: true });
      throw error;
    }
    return {
      provide: {
        azuriteQueueConnection: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};QueueEndpoint=${endpoint};`,
      },
      async stop() {
        await stopChild(child);
        await rm(location, { recursive: true, force: true });
      },
    };
  },
};

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = once(child, 'exit');
  child.kill('SIGTERM');
  await done;
}

/** Polls until the queue service answers any HTTP request (an auth error is an answer). */
async function waitUntilAnswering(endpoint: string): Promise<void> {
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await fetch(`${endpoint}?comp=list`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch (error) {
      if (Date.now() > giveUpAt)
        throw new Error(`azurite-queue did not answer at ${endpoint}`, { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
