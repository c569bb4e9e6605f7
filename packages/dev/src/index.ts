export { type LocalConfig, loadConfig } from './config.js';
export { type HttpServerOptions, startHttpServer } from './http-server.js';
export { type LocalApp, startLocalApp } from './local-app.js';
export { type ReceivedMessage, SqliteRunQueue } from './local-queue.js';
export { LocalWorker, type LocalWorkerOptions } from './local-worker.js';
export { type SelectedModel, selectModel } from './model-selection.js';
