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
  const started = await Promise.all(emulators.map((emulator) => emulator.start()));
  for (const { provide } of started) {
    for (const [key, value] of Object.entries(provide)) project.provide(key as never, value as never);
  }
  return async () => {
    await Promise.all(started.map((emulator) => emulator.stop()));
  };
}
