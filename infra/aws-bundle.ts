import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The Lambda handlers a Baton AWS bundle holds. */
export const AWS_ENTRIES = ['http', 'worker', 'sweeper'] as const;
export type AwsEntry = (typeof AWS_ENTRIES)[number];

/**
 * Where a handler sits in a prebuilt bundle directory: `<dir>/<entry>/index.mjs` (what `npx baton
 * build aws` writes) or a flat `<dir>/<entry>.mjs`.
 * Each exports `handler`; the http one also `stream` (the Function URL's streaming handler).
 * Fails with one line when the bundle was not built.
 *
 * @example
 * handlerIn('.baton/build/aws', 'worker'); // { bundle: '.baton/build/aws/worker', handler: 'index.handler' }
 */
export function handlerIn(
  dir: string,
  entry: AwsEntry,
  exported = 'handler',
): { bundle: string; handler: string } {
  if (existsSync(join(dir, `${entry}.mjs`))) return { bundle: dir, handler: `${entry}.${exported}` };
  if (existsSync(join(dir, entry, 'index.mjs')))
    return { bundle: join(dir, entry), handler: `index.${exported}` };
  throw new Error(`${dir} holds no ${entry}.mjs: build the bundle first (npx baton build aws)`);
}
