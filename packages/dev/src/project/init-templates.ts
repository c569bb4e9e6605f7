/** The files `baton init` writes: a project with one agent, one tool, a test and a deploy config. */
export function initFiles(
  name: string,
  versions: { baton: string; zod: string; vitest: string },
): Record<string, string> {
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'baton serve',
      test: 'vitest run',
      build: 'baton build aws',
      deploy: 'baton build aws && sst deploy',
    },
    dependencies: {
      '@baton/core': versions.baton,
      '@baton/dev': versions.baton,
      zod: versions.zod,
    },
    devDependencies: {
      '@baton/testing': versions.baton,
      vitest: versions.vitest,
    },
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'baton.config.ts': CONFIG,
    'baton.config.test.ts': TEST,
    'sst.config.ts': SST.replace('__NAME__', name),
    'tsconfig.json': `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    '.gitignore': 'node_modules/\n.baton/\n.sst/\n',
    'README.md': README.replaceAll('__NAME__', name),
  };
}

const CONFIG = `import { apiKeys, defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';

/** A tool: its parameters are checked before it runs; what it returns goes back to the model. */
export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up an order by its id and say where it is.',
  parameters: z.object({ orderId: z.string().min(1).max(64) }),
  execute: ({ orderId }, { state }) => {
    // Session tool state survives every invocation: remember what was looked up.
    const seen = state.get<string[]>('orders') ?? [];
    state.set('orders', [...seen, orderId]);
    return { orderId, status: 'shipped', eta: '2 days' };
  },
});

export const support = defineAgent({
  name: 'support',
  instructions: 'You answer questions about orders. Use lookup_order to find an order before you answer.',
  // A model by name, e.g. 'openai:gpt-5-mini' or 'bedrock:us.amazon.nova-pro-v1:0'. Without one the
  // environment decides (BATON_MODEL, OPENAI_API_KEY, ...), and with nothing configured the offline
  // demo model answers: try "order 42".
  tools: [lookupOrder],
});

export default defineBaton({
  agents: [support],
  // Every caller of a deployed stack needs an API key: \`npx baton keys create --tenant acme\`, sent
  // as \`Authorization: Bearer <key>\`. \`baton serve\` on 127.0.0.1 checks any key it is sent and
  // takes a request without one as you (BATON_REQUIRE_AUTH=1 turns that off). Other modes: jwt({ ... })
  // for Cognito, Entra ID, Auth0 or Clerk tokens, platformAuth({ ... }) for a platform that verified
  // the caller, customAuth(fn), several in a list, or 'none' said out loud. Without \`auth\` only
  // \`baton serve\` on 127.0.0.1 starts, and deployed hosts refuse to.
  auth: apiKeys(),
});
`;

const TEST = `import { callTools, reply, ScriptedModel, testApp } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import config from './baton.config.js';

describe('support agent', () => {
  it('looks the order up and answers with what the tool found', async () => {
    const model = new ScriptedModel([
      callTools([{ name: 'lookup_order', args: { orderId: '42' } }]),
      (request) => reply(\`Order 42: \${request.messages.at(-1)?.content}\`),
    ]);
    const app = testApp(config, { model });

    const { state, reply: answer, session } = await app.send('chat-1', 'Where is order 42?');

    expect(state).toBe('finished');
    expect(answer).toContain('shipped');
    expect(session.toolState).toEqual({ orders: ['42'] });
  });
});
`;

const SST = `/// <reference path="./.sst/platform/config.d.ts" />
// Deploys the bundle \`npx baton build aws\` makes (.baton/build/aws): a DynamoDB table, an SQS
// queue with its dead-letter queue, and the HTTP, worker and sweeper functions.
export default $config({
  app(input) {
    return {
      name: '__NAME__',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      home: 'aws',
    };
  },
  async run() {
    const { deployAws } = await import('@baton/infra/aws');
    return deployAws('.baton/build/aws');
  },
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['*.ts'],
  exclude: ['sst.config.ts'],
};

const README = `# __NAME__

An agent on [Baton](https://www.npmjs.com/package/@baton/core): stateful on stateless functions.

    npm install
    npm start            # serves baton.config.ts on http://127.0.0.1:3000 (SQLite under .baton/)
    npm test             # the agent's tests, with a scripted model

    curl -s localhost:3000/sessions/demo/messages \\
      -H 'content-type: application/json' -d '{"text":"order 42"}'

On 127.0.0.1 a request without credentials is you; a deployed stack wants an API key:

    KEY=$(npx baton keys create --tenant demo)   # printed once, stored hashed in .baton/baton.db
    curl -s localhost:3000/sessions -H "authorization: Bearer $KEY"   # checked locally too

Deploy to AWS: \`npm install @baton/aws @baton/infra sst\`, then \`npm run deploy\` (builds the
bundle with \`npx baton build aws\`, then \`sst deploy\`). For Azure, \`npx baton build azure\`.
`;
