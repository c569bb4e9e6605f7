import { existsSync, readFileSync } from 'node:fs';
import { replyTo } from './fault-model.js';
import type { ServerUrl, TrafficLog } from './traffic.js';

interface LoggedEvent {
  seq: number;
  at: number;
  kind: string;
  text?: string;
  toolCalls?: unknown[];
  outcome?: string;
  reason?: string;
}

/** A kill: when, and the seq of every session that had a run in progress just before it. */
export interface Kill {
  at: number;
  running: Map<string, number>;
}

export interface LocalSoakAudit {
  sessions: number;
  inputs: number;
  /** Inputs with exactly one reply of their own. */
  answered: number;
  /** Inputs the server accepted but its log does not hold. */
  lost: number;
  /** Inputs in the log without a reply of their own (including one folded into another's turn). */
  unanswered: number;
  /** Inputs logged twice, replies given twice, at-most-once tools run twice for one message. */
  duplicates: number;
  duplicateInputs: number;
  duplicateReplies: number;
  duplicateExecutions: number;
  executions: number;
  unknownOutcomes: number;
  failedRuns: number;
  /** Kill -> first step a restarted server committed for a run the kill interrupted, per kill. */
  recoveriesMs: number[];
  /** Kills while no run was in progress (nothing to recover). */
  idleKills: number;
  problems: string[];
}

const PROGRESS = new Set(['model_response', 'tool_result', 'run_finished']);

/** Every event of a session through the HTTP API, page by page. */
export async function readEvents(url: ServerUrl, session: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (;;) {
    const after = events.at(-1)?.seq ?? 0;
    const response = await fetch(`${url()}/sessions/${session}/events?after=${after}&limit=1000`);
    if (response.status === 404) return events;
    if (!response.ok) throw new Error(`events of ${session}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { events: LoggedEvent[]; next?: unknown };
    events.push(...page.events);
    if (!page.next || page.events.length === 0) return events;
  }
}

function count<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
const extra = (counts: Map<unknown, number>) =>
  [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

/**
 * Checks that every message was answered exactly once: each text the traffic sent is one input in
 * its session's log, answered by exactly one reply of its own (the fake model's reply names the
 * message it answers, so an input folded into another's turn has none), every at-most-once tool
 * ran at most once per message (the ledger file the tools append to, outside the store), and no
 * run failed. Recovery: per kill, the first progress step in a session that was running.
 */
export async function auditLocalSoak(
  url: ServerUrl,
  log: TrafficLog,
  ledgerPath: string,
  kills: readonly Kill[],
): Promise<LocalSoakAudit> {
  const audit: LocalSoakAudit = {
    sessions: log.sessions.size,
    inputs: log.inputs(),
    answered: 0,
    lost: 0,
    unanswered: 0,
    duplicates: 0,
    duplicateInputs: 0,
    duplicateReplies: 0,
    duplicateExecutions: 0,
    executions: 0,
    unknownOutcomes: 0,
    failedRuns: 0,
    recoveriesMs: [],
    idleKills: 0,
    problems: [...log.refused.map((refusal) => `refused: ${refusal}`)],
  };
  const logs = new Map<string, LoggedEvent[]>();
  for (const [session, texts] of log.sessions) {
    const events = await readEvents(url, session);
    logs.set(session, events);
    const inputs = count(events.filter((event) => event.kind === 'input').map((event) => event.text!));
    const replies = count(
      events
        .filter((event) => event.kind === 'model_response' && (event.toolCalls ?? []).length === 0)
        .map((event) => event.text!),
    );
    for (const text of texts) {
      const logged = inputs.get(text) ?? 0;
      const answers = replies.get(replyTo(text)) ?? 0;
      if (logged === 0) {
        audit.lost++;
        audit.problems.push(`${session}: "${text}" is not in the log`);
      } else if (answers === 0) {
        audit.unanswered++;
        audit.problems.push(`${session}: "${text}" has no reply of its own`);
      } else if (answers === 1 && logged === 1) audit.answered++;
      audit.duplicateInputs += Math.max(0, logged - 1);
      audit.duplicateReplies += Math.max(0, answers - 1);
    }
    audit.unknownOutcomes += events.filter((e) => e.kind === 'tool_result' && e.outcome === 'unknown').length;
    audit.failedRuns += events.filter((e) => e.kind === 'run_finished' && e.reason === 'failed').length;
  }
  const ledger = existsSync(ledgerPath)
    ? readFileSync(ledgerPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { session: string; subject: string })
    : [];
  audit.executions = ledger.length;
  audit.duplicateExecutions = extra(count(ledger.map((entry) => `${entry.session}\n${entry.subject}`)));
  audit.duplicates = audit.duplicateInputs + audit.duplicateReplies + audit.duplicateExecutions;
  if (audit.failedRuns > 0) audit.problems.push(`${audit.failedRuns} runs failed`);
  for (const kill of kills) {
    if (kill.running.size === 0) {
      audit.idleKills++;
      continue;
    }
    const steps = [...kill.running].flatMap(([session, seq]) =>
      (logs.get(session) ?? []).filter((e) => e.seq > seq && e.at >= kill.at && PROGRESS.has(e.kind)),
    );
    if (steps.length > 0) audit.recoveriesMs.push(Math.min(...steps.map((e) => e.at)) - kill.at);
  }
  return audit;
}
