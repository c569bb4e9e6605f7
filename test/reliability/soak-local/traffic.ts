import type { Random } from './random.js';

/** Where the server listens now; undefined while it is down between a kill and its restart. */
export type ServerUrl = () => string | undefined;

/** What the traffic sent, so the audit knows what every session must hold. */
export class TrafficLog {
  /** Session id -> the texts sent to it (each one input, whatever the number of deliveries). */
  readonly sessions = new Map<string, string[]>();
  deliveries = 0;
  duplicateDeliveries = 0;
  approvals = 0;
  /** Answers other than 2xx, 5xx and connection failures, which the client does not retry. */
  refused: string[] = [];
  readonly statuses: Record<string, number> = {};

  inputs(): number {
    return [...this.sessions.values()].reduce((sum, texts) => sum + texts.length, 0);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function request(url: ServerUrl, path: string, body: unknown, key?: string): Promise<number | 'down'> {
  const base = url();
  if (!base) return 'down';
  try {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'down';
  }
}

/**
 * Delivers one message until the server accepts it: a client retrying a refused connection, a
 * reset (the server was killed mid-request) or a 5xx with the same Idempotency-Key, as an HTTP
 * client with retries does. Keeps trying while the server restarts; gives up only on a 4xx.
 */
async function deliver(url: ServerUrl, log: TrafficLog, session: string, text: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    log.deliveries++;
    const status = await request(url, `/sessions/${session}/messages`, { text }, text);
    log.statuses[status] = (log.statuses[status] ?? 0) + 1;
    if (status === 200 || status === 202) return;
    if (status !== 'down' && status < 500 && status !== 409 && status !== 429) {
      log.refused.push(`${session} "${text}": ${status}`);
      return;
    }
    await pause(Math.min(2_000, 100 * (attempt + 1)));
  }
}

/**
 * One session's messages, sent one after another with a seeded pause: a chat message, a ticket
 * (the at-most-once tool) or an email (approved by `approver`). One in six is delivered three
 * times, two at once, all with the message's Idempotency-Key (a client retrying a timeout).
 */
export async function sessionTraffic(
  url: ServerUrl,
  log: TrafficLog,
  session: string,
  random: Random,
  running: () => boolean,
): Promise<void> {
  const texts: string[] = [];
  log.sessions.set(session, texts);
  for (let n = 0; running(); n++) {
    const roll = random.next();
    const kind = roll < 0.25 ? 'ticket' : roll < 0.4 ? 'email' : 'chat';
    const text = `${kind} ${session} #${n}`;
    texts.push(text);
    if (random.next() < 1 / 6) {
      log.duplicateDeliveries += 2;
      await Promise.all([deliver(url, log, session, text), deliver(url, log, session, text)]);
      await deliver(url, log, session, text);
    } else {
      await deliver(url, log, session, text);
    }
    await pause(random.between(50, 1_500));
  }
}

interface SessionSummary {
  sessionId: string;
  status: string;
  seq: number;
}

/** Every session of the default tenant (one page is enough for a soak's sessions). */
export async function listSessions(url: ServerUrl, status?: string): Promise<SessionSummary[] | undefined> {
  const base = url();
  if (!base) return undefined;
  try {
    const query = `limit=500${status ? `&status=${status}` : ''}`;
    const response = await fetch(`${base}/sessions?${query}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    return ((await response.json()) as { sessions: SessionSummary[] }).sessions;
  } catch {
    return undefined;
  }
}

/** A person approving every email that waits, a few times a second, until `running` turns false. */
export async function approver(url: ServerUrl, log: TrafficLog, running: () => boolean): Promise<void> {
  while (running()) {
    for (const { sessionId } of (await listSessions(url, 'waiting_approval')) ?? []) {
      const base = url();
      if (!base) break;
      try {
        const response = await fetch(`${base}/sessions/${sessionId}`, {
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) continue;
        const view = (await response.json()) as { session: { pendingApprovals: { callId: string }[] } };
        for (const { callId } of view.session.pendingApprovals) {
          const status = await request(url, `/sessions/${sessionId}/approvals/${callId}`, { approved: true });
          if (status === 202) log.approvals++;
        }
      } catch {
        // The server was killed mid-round: the next round asks again, as a person clicks again.
      }
    }
    await pause(250);
  }
}
