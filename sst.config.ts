/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Baton's deployable stacks. `BATON_CLOUDS` chooses the clouds (`aws`, `azure` or `aws,azure`;
 * default `aws`); the stage names everything, and `production` keeps its data on removal. The
 * resources live in infra/, one function per cloud taking a prebuilt bundle folder (the same call a
 * user's own sst.config.ts makes); the bundles are built from packages/aws and packages/azure
 * before each deploy so the deployed code is the checked-out code. docs/deploy.md explains both
 * stacks; BATON_ALARM_EMAIL and BATON_WORKER_MAX_CONCURRENCY tune them.
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
    const clouds = selectedClouds(process.env.BATON_CLOUDS);
    // This repository deploys its own build; a user's sst.config.ts passes `npx baton build` output.
    const build = (script: string) => execFileSync('npm', ['run', script], { stdio: 'inherit' });
    const alarmEmail = process.env.BATON_ALARM_EMAIL || undefined;
    let outputs: Record<string, unknown> = {};
    if (clouds.includes('aws')) {
      build('build:aws');
      const { deployAws } = await import('./infra/aws');
      const concurrency = Number(process.env.BATON_WORKER_MAX_CONCURRENCY) || undefined;
      outputs = { ...outputs, ...deployAws('dist/aws', { alarmEmail, workerMaxConcurrency: concurrency }) };
    }
    if (clouds.includes('azure')) {
      build('build:azure');
      const { deployAzure } = await import('./infra/azure');
      outputs = { ...outputs, ...deployAzure('dist/azure', { alarmEmail }) };
    }
    return outputs;
  },
});
