import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/dev/bin/baton.mjs', import.meta.url));

export interface ServeProcess {
  url: string;
  output(): string;
  /** Resolves when the process has exited (killed by itself or by the test). */
  exited: Promise<void>;
  /** SIGKILL: no shutdown code runs, as when a machine loses power. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `baton serve --config <config>` on a free port of 127.0.0.1, resolved once it listens. */
export function startServe(
  config: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BATON_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void end('SIGKILL');
      reject(new Error(`baton serve did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: match[1]!,
        output: () => output,
        exited,
        kill: () => end('SIGKILL'),
        stop: () => end('SIGTERM'),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`baton serve exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
