export { runCli, SESSIONS_USAGE, TENANTS_USAGE } from './cli/cli.js';
export { CliError, type CliIo, processIo, UsageError } from './cli/cli-io.js';
export { type ImportOptions, importSession, SessionExistsError } from './cli/import-writer.js';
export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportHeader,
  exportSession,
  ImportFormatError,
  readSessionFile,
  type SessionFile,
} from './cli/session-file.js';
export { type OpenedStore, openStore, type StoreFlags } from './cli/store-selection.js';
export { type LocalConfig, loadConfig } from './config.js';
export { consoleRoute, webResponse } from './console-mount.js';
export { type HttpServerOptions, startHttpServer } from './http-server.js';
export { type LocalApp, type LocalAppOptions, startLocalApp } from './local-app.js';
export { type ReceivedMessage, SqliteRunQueue } from './local-queue.js';
export { LocalWorker, type LocalWorkerOptions } from './local-worker.js';
export { loadModelProviders, type PackageImporter } from './model-providers.js';
