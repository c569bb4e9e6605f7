import { parseArgs } from 'node:util';
import { isBatonError } from '@baton/core';
import type { CliIo } from '../cli/cli-io.js';
import { type BuildTarget, buildProject } from './build-command.js';
import { initProject } from './init-command.js';

export const PROJECT_USAGE = `Project commands (run in the folder of your baton.config.ts):
  baton init [dir]        a new project: baton.config.ts with one agent and one tool, its test,
                          package.json (start, test, deploy) and sst.config.ts
  baton serve             serve baton.config.ts locally (SQLite under .baton/, a durable local
                          queue, the console at /console)
  baton build aws         bundle baton.config.ts for Lambda into .baton/build/aws
  baton build azure       bundle it as an Azure Functions app into .baton/build/azure

  --config FILE           another config file (default: baton.config.ts, .mts, .js or .mjs)
  --out DIR               where build writes the bundle
  --external-aws-sdk      use the Lambda runtime's AWS SDK instead of bundling the clients (by
                          default they are bundled and minified: faster cold starts, and the
                          deployed SDK is the tested one); --bundle-aws-sdk is the default
`;

/**
 * `baton init` and `baton build aws|azure`. Returns the exit code; a failure the user can act on
 * (a missing config, a missing package, a setting) is one line on stderr, never a stack trace.
 *
 * @example
 * const code = await runProjectCommand(['build', 'aws'], processIo());
 */
export async function runProjectCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      'bundle-aws-sdk': { type: 'boolean' },
      'external-aws-sdk': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, target] = positionals;
  if (values.help) {
    io.stdout.write(PROJECT_USAGE);
    return 0;
  }
  try {
    if (command === 'init') {
      const { dir, files } = await initProject({ cwd: io.cwd, ...(target ? { dir: target } : {}) });
      io.stdout.write(`Created a Baton project in ${dir}: ${files.join(', ')}\n`);
      io.stdout.write(`Next: cd ${dir} && npm install && npm start   (npm test runs the agent's test)\n`);
      return 0;
    }
    if (command === 'build' && (target === 'aws' || target === 'azure')) {
      const built = await buildProject(target as BuildTarget, {
        cwd: io.cwd,
        env: io.env,
        ...(values.config ? { config: values.config } : {}),
        ...(values.out ? { outDir: values.out } : {}),
        ...(values['bundle-aws-sdk'] ? { bundleAwsSdk: true } : {}),
        ...(values['external-aws-sdk'] ? { externalAwsSdk: true } : {}),
      });
      const providers =
        built.providerPackages.length > 0 ? built.providerPackages.join(', ') : 'none (offline demo model)';
      io.stdout.write(
        `Built the ${target} bundle in ${built.outDir}\n  model providers bundled: ${providers}\n`,
      );
      return 0;
    }
  } catch (error) {
    io.stderr.write(
      `baton: ${isBatonError(error) ? error.message : String((error as Error).message ?? error)}\n`,
    );
    return 1;
  }
  io.stderr.write(PROJECT_USAGE);
  return 2;
}
