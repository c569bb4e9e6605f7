import { Readable } from 'node:stream';
import type { CliIo } from '../cli/cli-io.js';

export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
}

/** A CliIo that records what a command prints, for calling commands directly in tests. */
export function memoryIo(
  options: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string; tty?: boolean } = {},
): MemoryIo {
  let out = '';
  let err = '';
  return {
    stdout: {
      write(text: string) {
        out += text;
        return true;
      },
    },
    stderr: {
      isTTY: options.tty ?? false,
      write(text: string) {
        err += text;
        return true;
      },
    },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
