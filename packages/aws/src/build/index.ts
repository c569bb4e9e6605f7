export {
  AWS_ENTRIES,
  type AwsBundleOptions,
  type AwsBundleReport,
  type AwsEntry,
  buildAwsBundle,
  DEFAULT_AWS_OUT_DIR,
  entrySource,
  ForbiddenCodeError,
  METAFILE,
  STREAMING_EXPORT,
} from './aws-bundle.js';
export { inputsOf, loadPath } from './load-path.js';
export { zodNamespacePlugin } from './zod-namespace.js';
