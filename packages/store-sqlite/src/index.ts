export { SqliteStore, type SqliteStoreOptions, type SqliteStoreStats } from './sqlite-store.js';
