import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/** Debian's Chromium, which playwright-core drives (it never downloads a browser of its own). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';
const MISSING = `Chromium is missing at ${CHROMIUM_PATH}; the console browser test needs it. Install it as root with: ${INSTALL_COMMAND}`;

/** The switches for a quiet, headless Chromium that reaches nothing but the local server. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Makes sure Debian's Chromium is at /usr/bin/chromium: when it is missing and the process is root
 * (as in CI), installs it with apt; otherwise, or when apt fails, throws saying what to install.
 * Never a skip: a browser test that cannot run is a failure.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(`${MISSING} (this process is not root, so the test cannot install it)`);
  }
  try {
    await promisify(execFile)('sh', ['-c', INSTALL_COMMAND], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const detail =
      (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') ?? String(error);
    throw new Error(`${MISSING}\napt failed:\n${detail}`);
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${MISSING}\napt reported success but ${CHROMIUM_PATH} is absent`);
  return CHROMIUM_PATH;
}
