import { join } from 'node:path';
import { SqliteStore } from '@baton/store-sqlite';
import { batonTarget } from './baton-target.js';

export const batonSqlite = batonTarget('baton-sqlite', 'Baton, SQLite file', (location) => {
  const store = new SqliteStore({ path: join(location.dir, 'baton.db') });
  return {
    store,
    physical: () => ({ bytes: store.stats.bytesWritten }),
    close: () => store.close(),
  };
});
