export {
  type AzureBuildOptions,
  type AzureBundleReport,
  assertNoAwsCode,
  buildAzureApp,
  DEFAULT_OUT_DIR,
  ForbiddenCodeError,
  MAIN,
  METAFILE,
} from './bundle.js';
export { inputsOf, loadPath } from './load-path.js';
