import { relative } from 'node:path';
import { buildBundles, REPO_ROOT } from './bundle.js';

/** `npm run build:aws`: bundles the Lambda handlers and prints their sizes. */
try {
  const reports = await buildBundles({ bundleAwsSdk: process.env.BATON_BUNDLE_AWS_SDK === '1' });
  for (const report of reports) {
    const kb = (report.bytes / 1024).toFixed(1).padStart(8);
    console.log(`${report.name.padEnd(8)} ${kb} KB  ${relative(REPO_ROOT, report.file)}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
