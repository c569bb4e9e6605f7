import type { TestProject } from 'vitest/node';
import { azurite } from './azurite.js';
import { cosmosServer } from './cosmos-server.js';
import { dynamodbLocal } from './dynamodb-local.js';

/**
 * Starts every emulator the suite needs once per run, on free ports on 127.0.0.1, and hands their
 * endpoints to the tests through `inject()`. Each emulator lives in its own module beside this one.
 */
type Emulator = {
  name: string;
  start(): Promise<{ provide: Record<string, string>; stop(): Promise<void> }>;
};

const emulators: Emulator[] = [dynamodbLocal, cosmosServer, azurite];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const results = await Promise.allSettled(emulators.map((emulator) => emulator.start()));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.flatMap((result, index) =>
    result.status === 'rejected' ? [`${emulators[index]!.name}: ${String(result.reason)}`] : [],
  );
  if (failed.length > 0) {
    // Stop what did start, so no emulator outlives a failed run.
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
    throw new Error(`emulators failed to start:\n${failed.join('\n')}`);
  }
  for (const { provide } of started) {
    for (const [key, value] of Object.entries(provide)) project.provide(key as never, value as never);
  }
  return async () => {
    await Promise.all(started.map((emulator) => emulator.stop()));
  };
}
