/**
 * What every framework under test looks like to the benchmark: a harness that runs one turn of the
 * conversation (bench/conversation.ts) against its own persistence and reports what it cost.
 * Opening a second harness on the same location is a cold invocation: a new process picking up
 * the stored conversation.
 */
import type { RequestUnits } from './cost/units.js';

export interface TurnSample {
  turn: number;
  /** Logical bytes written: JSON bytes of the records (or SQL values) the turn stored. */
  bytes: number;
  /** Bytes as the store itself counts them (DynamoDB item sizes, Cosmos documents), where it does. */
  physicalBytes?: number;
  /** Store write operations: commits, appends, checkpoint puts. */
  writes: number;
  /** Store read operations at the persistence interface. */
  reads: number;
  /** Requests that reached the store's service (DynamoDB, Cosmos), where the store counts them. */
  roundTrips?: number;
  /** Request units the turn consumed on the store service and the run queue, where the bench meters them (bench/cost/). */
  units?: RequestUnits;
  /** Wall time of the turn minus the fake model's: the framework plus its store. */
  frameworkMs: number;
  /** User messages the model saw in the turn's first call: proves history came back from the store. */
  userMessagesSeen: number;
}

export interface Harness {
  turn(turn: number): Promise<TurnSample>;
  close(): Promise<void>;
}

/** Where a conversation lives: the same location opened twice is the same conversation. */
export interface Location {
  /** A private folder for files (SQLite databases). */
  dir: string;
  sessionId: string;
  /** Emulator endpoints, from the process that started them. */
  endpoints: Endpoints;
}

export interface Endpoints {
  dynamodb?: string;
  cosmos?: string;
  cosmosKey?: string;
}

export interface BenchTarget {
  /** Short id for BENCH_ONLY and file names. */
  id: string;
  /** Row label in the tables and the chart. */
  label: string;
  /** A framework users would pick instead of Baton: runs BENCH_PEER_TURNS turns. */
  peer?: boolean;
  /** Needs an emulator the runner must start first. */
  needs?: 'dynamodb' | 'cosmos';
  /**
   * Turns this target runs at most, when its cost grows with the conversation so much that the
   * full run would not fit the time budget; the report says so.
   */
  maxTurns?: number;
  /** Prepares shared resources (a table, a container) once per location. */
  prepare?(location: Location): Promise<void>;
  open(location: Location): Promise<Harness>;
}

/** Counts turn samples from counters that only grow: read before, read after. */
export function delta<T extends Record<string, number>>(before: T, after: T): T {
  const out = {} as Record<string, number>;
  for (const key of Object.keys(after)) out[key] = (after[key] ?? 0) - (before[key] ?? 0);
  return out as T;
}
