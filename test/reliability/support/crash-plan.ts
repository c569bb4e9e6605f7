import type { SessionRef } from '@baton/core';
import type { StoreSpec } from './store-spec.js';

/** Where the crash child kills itself with SIGKILL. */
export type CrashPlan =
  | { kind: 'none' }
  /** At the nth commit of this process: before the store call, or once the write returned. */
  | { kind: 'commit'; n: number; when: 'before' | 'after' }
  /** Inside the nth tool call of this process, after its side effect (the execution counter). */
  | { kind: 'tool'; n: number };

export interface CrashChildConfig {
  /** The store of sessions that name none. */
  store: StoreSpec;
  /** Added to Date.now(): a resuming child runs "later", so the dead holder's lease has expired. */
  clockOffsetMs: number;
  plan: CrashPlan;
  /** Sessions to drive, in order; each may live in a store of its own (a SQLite file per crash). */
  sessions: { ref: SessionRef; executionLog: string; store?: StoreSpec }[];
  /** Reference runs write what they committed and executed here, to derive the crash points. */
  traceFile?: string;
}

/** One commit of the reference run: which events it wrote. */
export interface TracedCommit {
  n: number;
  events: { kind: string; callId?: string }[];
}

/** One tool execution of the reference run, and how many commits had landed when it started. */
export interface TracedTool {
  n: number;
  callId: string;
  tool: string;
  commitsBefore: number;
}

export interface RunTrace {
  /** Commit calls made, landed or not: what a crash plan's `n` counts. */
  commitCalls: number;
  commits: TracedCommit[];
  tools: TracedTool[];
}

export function describePlan(plan: CrashPlan): string {
  if (plan.kind === 'none') return 'no crash';
  if (plan.kind === 'tool') return `inside tool call ${plan.n}`;
  return `${plan.when} commit ${plan.n}`;
}
