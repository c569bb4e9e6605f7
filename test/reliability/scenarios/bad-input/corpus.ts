import type { SessionRef, SessionStore } from '@baton/core';

/** What an entry point answered: an HTTP status and error code, or a queue's verdict and reason. */
export interface Answer {
  status?: number;
  code?: string;
  /** Free text to check a reason against (a dead-letter reason, a log line). */
  detail?: string;
}

export interface BadInputCase {
  entry: 'http' | 'sqs' | 'storage-queue' | 'slack' | 'store-record';
  name: string;
  expected: Answer & { detailMatches?: RegExp };
  send(): Promise<Answer>;
}

/** Everything a reader can see of a store: every session's head and log, in a stable order. */
export async function snapshot(store: SessionStore): Promise<string> {
  const { sessions } = await store.list({ limit: 500 });
  const sorted = [...sessions].sort((a, b) =>
    `${a.tenant}/${a.sessionId}`.localeCompare(`${b.tenant}/${b.sessionId}`),
  );
  const all = [];
  for (const head of sorted) {
    const ref = { tenant: head.tenant, sessionId: head.sessionId };
    all.push({ head: await store.readHead(ref), events: await store.readEvents(ref) });
  }
  return JSON.stringify(all);
}

export interface CorpusResult {
  cases: number;
  /** Cases whose answer was not the specific one expected. */
  wrongAnswers: string[];
  /** Cases after which the store was not as before. */
  stateChanges: string[];
  /** Cases after which the process no longer served a plain request. */
  stoppedServing: string[];
}

/**
 * Sends each hostile input, then checks three things: the answer is the specific error expected,
 * the store reads exactly as before, and the entry point still serves a well-formed request.
 */
export async function runCorpus(
  cases: readonly BadInputCase[],
  state: () => Promise<string>,
  stillServing: () => Promise<boolean>,
): Promise<CorpusResult> {
  const result: CorpusResult = {
    cases: cases.length,
    wrongAnswers: [],
    stateChanges: [],
    stoppedServing: [],
  };
  for (const testCase of cases) {
    const label = `${testCase.entry}: ${testCase.name}`;
    const before = await state();
    let answer: Answer;
    try {
      answer = await testCase.send();
    } catch (error) {
      answer = { code: `threw ${(error as Error).name}: ${(error as Error).message}` };
    }
    const { detailMatches, ...expected } = testCase.expected;
    const matches =
      Object.entries(expected).every(([key, value]) => answer[key as keyof Answer] === value) &&
      (!detailMatches || detailMatches.test(answer.detail ?? ''));
    if (!matches)
      result.wrongAnswers.push(
        `${label}: got ${JSON.stringify(answer)}, expected ${JSON.stringify(testCase.expected, (_, v) => (v instanceof RegExp ? String(v) : v))}`,
      );
    if ((await state()) !== before) result.stateChanges.push(label);
    if (!(await stillServing())) result.stoppedServing.push(label);
  }
  return result;
}

/** What a reader sees of chosen sessions, read errors included: for stores holding tampered records. */
export async function sessionsState(store: SessionStore, refs: readonly SessionRef[]): Promise<string> {
  const seen = [];
  for (const ref of refs) {
    const read = <T>(call: Promise<T>) =>
      call.then(
        (value) => JSON.stringify(value),
        (error: Error) => `error: ${error.message}`,
      );
    seen.push(await read(store.readHead(ref)), await read(store.readEvents(ref)));
  }
  return seen.join('\n');
}
