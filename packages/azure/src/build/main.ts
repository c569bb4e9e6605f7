import { relative } from 'node:path';
import { buildAzureApp, REPO_ROOT } from './bundle.js';

/** `npm run build:azure`: builds the deployable Functions app folder and prints its size. */
try {
  const report = await buildAzureApp();
  console.log(`${relative(REPO_ROOT, report.outdir)}/  (host.json, package.json, app.mjs)`);
  console.log(`app.mjs ${(report.bytes / 1024).toFixed(1)} KB from ${report.packages.length} packages`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
