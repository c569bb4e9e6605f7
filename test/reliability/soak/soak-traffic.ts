import { handleHttp, isRetryable, type SessionRef } from '@baton/core';
import { START_TEXT } from '../agent/reliability-script.js';
import type { SoakHost } from './soak-hosts.js';

export type SessionKind = 'chat' | 'backlog' | 'contention';

/** What the traffic sent, so the audit knows what every session must hold. */
export class TrafficLog {
  readonly sessions = new Map<string, { kind: SessionKind; inputs: string[] }>();
  deliveries = 0;
  duplicateDeliveries = 0;
  readonly answers: Record<string, number> = {};

  constructor(readonly tenant: string) {}

  ref(sessionId: string): SessionRef {
    return { tenant: this.tenant, sessionId };
  }

  expect(sessionId: string, kind: SessionKind, input: string): void {
    const entry = this.sessions.get(sessionId) ?? { kind, inputs: [] };
    entry.inputs.push(input);
    this.sessions.set(sessionId, entry);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A trigger delivered again while its submit fails retryably (the dedupe key makes that safe). */
async function retried<T>(submit: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit();
    } catch (error) {
      if (!isRetryable(error) || attempt >= 10) throw error;
      await pause(20 * attempt);
    }
  }
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * HTTP conversations of two turns through core's routes, with an Idempotency-Key per turn; one in
 * five turns is delivered three times, two of them at once (a client retrying a timeout).
 */
export async function chatTraffic(
  hosts: readonly SoakHost[],
  log: TrafficLog,
  running: () => boolean,
  name: string,
): Promise<void> {
  for (let n = 0; running(); n++) {
    const sessionId = `chat-${name}-${n}`;
    for (let turn = 0; turn < 2 && running(); turn++) {
      const text = `${sessionId} turn ${turn}`;
      log.expect(sessionId, 'chat', text);
      // A client retries 5xx answers with the same key, as a trigger is delivered again.
      const send = async () => {
        for (let attempt = 0; attempt < 10; attempt++) {
          const status = await post();
          if (status < 500) return;
        }
      };
      const post = () => {
        log.deliveries++;
        return handleHttp(
          pick(hosts).baton,
          {
            method: 'POST',
            path: `/sessions/${sessionId}/messages`,
            query: new URLSearchParams(),
            headers: {
              'content-type': 'application/json',
              'idempotency-key': text,
              'x-baton-tenant': log.tenant,
            },
            body: JSON.stringify({ text }),
          },
          { deadline: Date.now() + 60_000, waitMs: 2_000 },
        ).then((response) => {
          log.answers[response.status] = (log.answers[response.status] ?? 0) + 1;
          return response.status;
        });
      };
      if (Math.random() < 0.2) {
        log.duplicateDeliveries += 2;
        await Promise.all([send(), send()]);
        await send();
      } else {
        await send();
      }
      await pause(Math.random() * 50);
    }
  }
}

/** A 20-step backlog run (tools of every kind, approvals) started every two seconds, driven by the queue. */
export async function backlogTraffic(
  hosts: readonly SoakHost[],
  log: TrafficLog,
  running: () => boolean,
): Promise<void> {
  for (let n = 0; running(); n++) {
    const sessionId = `backlog-${n}`;
    log.expect(sessionId, 'backlog', START_TEXT);
    await retried(() =>
      pick(hosts).baton.submit(log.ref(sessionId), {
        text: START_TEXT,
        source: 'reliability',
        dedupeKey: 'start',
        agent: 'reliability',
      }),
    );
    await pause(2_000);
  }
}

/** Eight inputs to one session from every host at once, every three seconds. */
export async function contentionTraffic(
  hosts: readonly SoakHost[],
  log: TrafficLog,
  running: () => boolean,
): Promise<void> {
  for (let n = 0; running(); n++) {
    const sessionId = `busy-${n}`;
    const texts = Array.from({ length: 8 }, (_, index) => `${sessionId}-m${index}`);
    for (const text of texts) log.expect(sessionId, 'contention', text);
    await Promise.all(
      texts.map((text, index) =>
        retried(() =>
          hosts[index % hosts.length]!.baton.submit(log.ref(sessionId), {
            text,
            source: 'soak',
            dedupeKey: text,
            agent: 'contention',
          }),
        ),
      ),
    );
    await pause(3_000);
  }
}

/** A person approving whatever waits, a few times a second. */
export async function approver(
  hosts: readonly SoakHost[],
  log: TrafficLog,
  running: () => boolean,
): Promise<void> {
  while (running()) {
    const baton = pick(hosts).baton;
    try {
      let cursor: string | undefined;
      do {
        const page = await baton.list({
          tenant: log.tenant,
          status: 'waiting_approval',
          limit: 100,
          ...(cursor ? { cursor } : {}),
        });
        for (const head of page.sessions) {
          const ref = log.ref(head.sessionId);
          for (const pending of (await baton.session(ref)).pendingApprovals) {
            await baton.decide(ref, {
              callId: pending.callId,
              approved: true,
              identity: {
                tenant: ref.tenant,
                user: 'reliability-approver',
                scopes: ['approve'],
                via: 'api_key',
              },
            });
          }
        }
        cursor = page.cursor;
      } while (cursor);
    } catch {
      // A store fault: the next round tries again, as a person would click again.
    }
    await pause(200);
  }
}
