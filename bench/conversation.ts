/**
 * The benchmark conversation every framework runs (issue 9): each turn a user message of about 200
 * characters and a reply of about 300; on every second turn the model first calls one tool whose
 * result is about 120 characters. Kept in one place so Baton and the peers say exactly the same.
 */
export const USER_TEXT =
  'Please look at the latest figures for the northern region and tell me whether the trend that we discussed earlier still holds, and what the main drivers are this week. Keep it short please ok.';

export const REPLY_TEXT =
  `${'The northern region is still trending up: volumes rose four percent week on week, driven mostly by the two new distribution partners and by lower returns. '.repeat(2)}`.slice(
    0,
    300,
  );

export const TOOL_RESULT =
  'region=north; week=48; volume=+4.1%; returns=-0.8%; partners=2 new; confidence=high; source=warehouse-daily-rollup-v3';

export const TOOL_NAME = 'figures';
export const TOOL_DESCRIPTION = 'Weekly figures of a region';
export const TOOL_ARGUMENTS = '{"region":"north"}';
export const INSTRUCTIONS = 'You answer questions about regional figures.';

/** Turns 2, 4, 6, ... call the tool before replying. */
export function callsTool(turn: number): boolean {
  return turn % 2 === 0;
}

/** A stable call id per turn, as a provider would hand out. */
export function callId(turn: number): string {
  return `call_${turn}`;
}

/**
 * The content of one turn in JSON bytes (message, reply, tool call and result): what a store
 * has to keep at the least. Baton's target is at most 1.3x this per turn.
 */
export function contentBytes(turn: number): number {
  const text = Buffer.byteLength(USER_TEXT) + Buffer.byteLength(REPLY_TEXT);
  if (!callsTool(turn)) return text;
  return (
    text + Buffer.byteLength(TOOL_NAME) + Buffer.byteLength(TOOL_ARGUMENTS) + Buffer.byteLength(TOOL_RESULT)
  );
}

/**
 * Wall time spent inside the fake model, so each harness can report framework time without it.
 * `time` wraps any model call, sync or async.
 */
export class ModelClock {
  ms = 0;

  async time<T>(call: () => T | PromiseLike<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      this.ms += performance.now() - start;
    }
  }

  take(): number {
    const ms = this.ms;
    this.ms = 0;
    return ms;
  }
}
