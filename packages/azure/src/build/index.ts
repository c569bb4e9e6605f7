export {
  type AzureBuildOptions,
  type AzureBundleReport,
  assertNoAwsCode,
  buildAzureApp,
  DEFAULT_OUT_DIR,
  ForbiddenCodeError,
  MAIN,
} from './bundle.js';
