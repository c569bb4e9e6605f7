import type { CliIo } from './cli-io.js';

export interface Progress {
  /** `done` so far, of `total` when known (given here or when the bar was made). */
  update(done: number, total?: number): void;
  /** Clears the bar and prints the closing line. */
  finish(message: string): void;
}

const WIDTH = 30;
const REDRAW_MS = 80;

/**
 * A progress bar on stderr when stderr is a terminal (stdout may be the export itself); elsewhere
 * (a log, a pipe, CI) only the closing line, so logs get a count instead of carriage returns.
 */
export function progress(io: CliIo, label: string, initialTotal?: number): Progress {
  const tty = io.stderr.isTTY === true;
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, givenTotal) {
      if (!tty) return;
      const total = givenTotal ?? initialTotal;
      const now = Date.now();
      if (now - drawnAt < REDRAW_MS && done !== total) return;
      drawnAt = now;
      drawn = true;
      if (total === undefined || total === 0) {
        io.stderr.write(`\r${label} ${done}`);
        return;
      }
      const share = Math.min(1, done / total);
      const filled = Math.round(share * WIDTH);
      io.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${done}/${total}`,
      );
    },
    finish(message) {
      if (tty && drawn) io.stderr.write('\r\u001b[2K');
      io.stderr.write(`${message}\n`);
    },
  };
}
