import type { Clock, SessionRef, SessionStore } from '@baton/core';
import type { ManualClock } from '../manual-clock.js';

/** What a store package provides to run the conformance suite against its backend. */
export interface StoreHarness {
  /**
   * A store over a fresh, empty namespace; its TTL/expiry reads (live snapshots' `expiresAt`
   * included) use `clock`. Called once per suite (beforeAll).
   */
  create(options: { clock: Clock }): Promise<SessionStore>;
  /** Writes raw records exactly as given, bypassing validation (for old-schema fixtures). */
  writeRaw(
    store: SessionStore,
    fixture: { ref: SessionRef; head: unknown; events: unknown[] },
  ): Promise<void>;
  /** Called once after the suite; without it the suite calls `store.close()` if there is one. */
  destroy?(store: SessionStore): Promise<void>;
  /**
   * Retention (retention-cases.ts): every Baton store has it; a reference store without it skips
   * those cases.
   */
  retention?: RetentionHarness;
}

/** Stores with session and dedupe expiry, and the backend's own deletion of expired records. */
export interface RetentionHarness {
  /**
   * A store over a fresh namespace of its own with this retention: `ttlSeconds` is the session
   * TTL (absent: sessions are kept), `dedupeTtlSeconds` the dedupe window (absent: the default).
   */
  create(options: { clock: Clock; ttlSeconds?: number; dedupeTtlSeconds?: number }): Promise<SessionStore>;
  /**
   * Deletes, at once, what the backend's expiry deletes eventually by `now`: DynamoDB and Cosmos,
   * every item whose TTL has passed (their TTL processes run late and in no order); SQLite, what
   * its pruning deletes.
   */
  expire(store: SessionStore, now: number): Promise<void>;
  destroy(store: SessionStore): Promise<void>;
}

/** What every group of cases shares: one store for the whole suite, and fresh names per test. */
export interface ConformanceContext {
  /** The store under test; call it inside a test (it is created in beforeAll). */
  store(): SessionStore;
  readonly harness: StoreHarness;
  /** Shared by the suite; tests only move it forward, by at most minutes, so no retention window ends. */
  readonly clock: ManualClock;
  /** A ref no other test uses, in the suite's default tenant unless one is given. */
  ref(label: string, tenant?: string): SessionRef;
  /** A tenant no other test uses, for tests that list. */
  tenant(label: string): string;
}
