export {
  AWS_ENTRIES,
  type AwsBundleOptions,
  type AwsBundleReport,
  type AwsEntry,
  buildAwsBundle,
  DEFAULT_AWS_OUT_DIR,
  entrySource,
  ForbiddenCodeError,
} from './aws-bundle.js';
