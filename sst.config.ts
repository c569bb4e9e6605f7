/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Baton's deployable stacks. `BATON_CLOUDS` chooses the clouds (`aws`, `azure` or `aws,azure`;
 * default `aws`); the stage names everything, and `production` keeps its data on removal. The
 * resources live in infra/, one module per cloud; the handler bundles are built from packages/aws
 * and packages/azure before each deploy so the deployed code is the checked-out code.
 */
export default $config({
  async app(input) {
    const { AZURE_NATIVE_VERSION, isProduction, selectedClouds } = await import('./infra/clouds');
    const clouds = selectedClouds(process.env.BATON_CLOUDS);
    const production = isProduction(input?.stage ?? '');
    return {
      name: 'baton',
      // SST keeps its state (and secrets) with the home provider; an Azure-only deployment keeps
      // them on the deploying machine instead of requiring an AWS account.
      home: clouds.includes('aws') ? 'aws' : 'local',
      removal: production ? 'retain' : 'remove',
      protect: production,
      providers: clouds.includes('azure')
        ? {
            'azure-native': {
              version: AZURE_NATIVE_VERSION,
              location: process.env.BATON_AZURE_LOCATION ?? 'westeurope',
            },
          }
        : {},
    };
  },
  async run() {
    const { execFileSync } = await import('node:child_process');
    const { selectedClouds } = await import('./infra/clouds');
    const { declareSecrets } = await import('./infra/secrets');
    const clouds = selectedClouds(process.env.BATON_CLOUDS);
    const build = (script: string) => execFileSync('npm', ['run', script], { stdio: 'inherit' });
    const secrets = declareSecrets();
    let outputs: Record<string, unknown> = {};
    if (clouds.includes('aws')) {
      build('build:aws');
      const { deployAws } = await import('./infra/aws');
      outputs = { ...outputs, ...deployAws({ secrets, env: process.env }) };
    }
    if (clouds.includes('azure')) {
      build('build:azure');
      const { deployAzure, APP_PACKAGE_DIR } = await import('./infra/azure');
      const { folderHash } = await import('./infra/package-version');
      const packageVersion = folderHash(APP_PACKAGE_DIR);
      outputs = { ...outputs, ...deployAzure({ secrets, env: process.env, packageVersion }) };
    }
    return outputs;
  },
});
