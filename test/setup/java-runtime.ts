import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INSTALL_COMMAND = 'apt-get update && apt-get install -y default-jre-headless';

/**
 * Makes sure a Java runtime is on the PATH for DynamoDB Local: when it is missing and the process
 * is root (as in CI), installs Debian's with apt; otherwise, or when apt fails, throws saying what to
 * install. Never a skip: a suite that cannot start its emulator fails.
 */
export async function ensureJava(): Promise<void> {
  if (await hasJava()) return;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(
      `DynamoDB Local needs a Java runtime (17 or newer) on the PATH; as root: ${INSTALL_COMMAND} (this process is not root, so the suite cannot install it)`,
    );
  }
  try {
    await run('sh', ['-c', INSTALL_COMMAND], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const detail =
      (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') ?? String(error);
    throw new Error(`installing a Java runtime for DynamoDB Local failed (${INSTALL_COMMAND}):\n${detail}`);
  }
  if (!(await hasJava())) throw new Error(`${INSTALL_COMMAND} ran, but java is still not on the PATH`);
}

async function hasJava(): Promise<boolean> {
  try {
    await run('java', ['-version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
