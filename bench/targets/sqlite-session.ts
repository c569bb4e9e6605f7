import type { AgentInputItem, Session } from '@openai/agents';
import type Database from 'better-sqlite3';

/**
 * A Session for the OpenAI Agents SDK that appends each item as one JSON row in SQLite: the
 * custom-backend route its sessions guide points to (the SDK ships only an in-memory session and
 * one backed by OpenAI's Conversations API, which this offline benchmark cannot reach).
 */
export class SqliteSession implements Session {
  /** Calls that reached the store, for the benchmark's read and write columns. */
  readonly calls = { reads: 0, writes: 0 };
  private readonly select: Database.Statement<[string], { json: string }>;
  private readonly insert: Database.Statement<[string, string]>;
  private readonly last: Database.Statement<[string], { id: number; json: string }>;
  private readonly remove: Database.Statement<[number]>;
  private readonly clear: Database.Statement<[string]>;
  private readonly append: Database.Transaction<(items: AgentInputItem[]) => void>;

  constructor(
    db: Database.Database,
    private readonly sessionId: string,
  ) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS agent_items (id INTEGER PRIMARY KEY AUTOINCREMENT, session TEXT NOT NULL, json TEXT NOT NULL)',
    );
    db.exec('CREATE INDEX IF NOT EXISTS agent_items_by_session ON agent_items (session, id)');
    this.select = db.prepare('SELECT json FROM agent_items WHERE session = ? ORDER BY id');
    this.insert = db.prepare('INSERT INTO agent_items (session, json) VALUES (?, ?)');
    this.last = db.prepare('SELECT id, json FROM agent_items WHERE session = ? ORDER BY id DESC LIMIT 1');
    this.remove = db.prepare('DELETE FROM agent_items WHERE id = ?');
    this.clear = db.prepare('DELETE FROM agent_items WHERE session = ?');
    this.append = db.transaction((items: AgentInputItem[]) => {
      for (const item of items) this.insert.run(this.sessionId, JSON.stringify(item));
    });
  }

  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  async getItems(limit?: number): Promise<AgentInputItem[]> {
    this.calls.reads++;
    const items = this.select.all(this.sessionId).map((row) => JSON.parse(row.json) as AgentInputItem);
    return limit === undefined ? items : items.slice(Math.max(0, items.length - limit));
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    if (items.length === 0) return;
    this.calls.writes++;
    this.append(items);
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    this.calls.writes++;
    const row = this.last.get(this.sessionId);
    if (!row) return undefined;
    this.remove.run(row.id);
    return JSON.parse(row.json) as AgentInputItem;
  }

  async clearSession(): Promise<void> {
    this.calls.writes++;
    this.clear.run(this.sessionId);
  }
}
