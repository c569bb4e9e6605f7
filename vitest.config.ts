import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Workspace packages export `./dist` to their users and `./src` under the `@baton/source` condition: the
 * tests run the sources, with no build step. Vite resolves imports with `resolve.conditions` (and
 * `ssr.resolve.conditions` for the Node environment the tests run in; Vitest also passes these to
 * its workers as `--conditions`). Processes the tests spawn get it through NODE_OPTIONS. The name is
 * scoped because a bare `source` is taken: eventsource-parser, for one, exports its own `.ts` under it.
 */
const SOURCE = '@baton/source';
const NODE_OPTIONS = [process.env.NODE_OPTIONS, `--conditions=${SOURCE}`].filter(Boolean).join(' ');

/** Suites that need an emulator from the global setup, a spawned service or a whole stack. */
const INTEGRATION = ['packages/*/src/**/*.int.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions.filter((name) => name !== 'module')] } },
  test: {
    env: { NODE_OPTIONS },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: INTEGRATION,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          // DynamoDB Local, the Cosmos DB API server and Azurite, once per run, for this project only.
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
    ],
  },
});
