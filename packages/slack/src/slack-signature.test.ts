import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlackSignatureError } from './slack-errors.js';
import { slackSignature, verifySlackRequest } from './slack-signature.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.UTC(2026, 0, 1, 12);
const TS = String(NOW / 1000);

function headers(body: string, timestamp = TS, secret = SECRET): Record<string, string> {
  return {
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': slackSignature(body, timestamp, secret),
  };
}

function failure(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SlackSignatureError) return `${error.status} ${error.reason}`;
    throw error;
  }
  return 'accepted';
}

describe('verifySlackRequest', () => {
  it('matches the signature in Slack documentation example', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const signature = slackSignature(body, '1531420618', SECRET);
    expect(signature).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    expect(
      failure(() =>
        verifySlackRequest(
          body,
          { 'x-slack-request-timestamp': '1531420618', 'x-slack-signature': signature },
          SECRET,
          1531420618_000,
        ),
      ),
    ).toBe('accepted');
  });

  it('accepts a correctly signed body when the timestamp is within five minutes', () => {
    const body = '{"type":"event_callback"}';
    expect(failure(() => verifySlackRequest(body, headers(body), SECRET, NOW + 299_000))).toBe('accepted');
    expect(failure(() => verifySlackRequest(Buffer.from(body), headers(body), SECRET, NOW - 299_000))).toBe(
      'accepted',
    );
  });

  it('rejects with missing_headers when either header is absent', () => {
    const body = '{}';
    const { 'X-Slack-Signature': signature } = headers(body);
    expect(failure(() => verifySlackRequest(body, {}, SECRET, NOW))).toBe('401 missing_headers');
    expect(failure(() => verifySlackRequest(body, { 'x-slack-signature': signature }, SECRET, NOW))).toBe(
      '401 missing_headers',
    );
    expect(failure(() => verifySlackRequest(body, { 'x-slack-request-timestamp': TS }, SECRET, NOW))).toBe(
      '401 missing_headers',
    );
  });

  it('rejects with malformed_headers when the timestamp or signature has the wrong shape', () => {
    const body = '{}';
    expect(
      failure(() =>
        verifySlackRequest(body, { ...headers(body), 'X-Slack-Request-Timestamp': '12.5' }, SECRET, NOW),
      ),
    ).toBe('401 malformed_headers');
    expect(
      failure(() =>
        verifySlackRequest(body, { ...headers(body), 'X-Slack-Signature': 'v1=abc' }, SECRET, NOW),
      ),
    ).toBe('401 malformed_headers');
  });

  it('rejects with stale_timestamp when the request is more than five minutes old or ahead', () => {
    const body = '{}';
    expect(failure(() => verifySlackRequest(body, headers(body), SECRET, NOW + 301_000))).toBe(
      '401 stale_timestamp',
    );
    expect(failure(() => verifySlackRequest(body, headers(body), SECRET, NOW - 301_000))).toBe(
      '401 stale_timestamp',
    );
  });

  it('rejects with bad_signature when the body was altered or another secret signed it', () => {
    const body = '{"text":"hello"}';
    expect(failure(() => verifySlackRequest('{"text":"hellp"}', headers(body), SECRET, NOW))).toBe(
      '401 bad_signature',
    );
    expect(failure(() => verifySlackRequest(body, headers(body, TS, 'other-secret'), SECRET, NOW))).toBe(
      '401 bad_signature',
    );
    const replayed = headers(body, String(NOW / 1000 - 10));
    expect(
      failure(() => verifySlackRequest(body, { ...replayed, 'X-Slack-Request-Timestamp': TS }, SECRET, NOW)),
    ).toBe('401 bad_signature');
  });

  it('accepts what it signs and rejects any one-byte change when bodies are random', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        (bytes, secret, position) => {
          const body = Buffer.from(bytes);
          const signed = {
            'x-slack-request-timestamp': TS,
            'x-slack-signature': slackSignature(body, TS, secret),
          };
          expect(failure(() => verifySlackRequest(body, signed, secret, NOW))).toBe('accepted');
          if (body.length === 0) return;
          const altered = Buffer.from(body);
          const index = position % altered.length;
          altered[index] = (altered[index]! + 1) % 256;
          expect(failure(() => verifySlackRequest(altered, signed, secret, NOW))).toBe('401 bad_signature');
        },
      ),
    );
  });

  it('only ever throws SlackSignatureError when headers are random', () => {
    const value = fc.option(fc.oneof(fc.string(), fc.constant(TS), fc.stringMatching(/^v0=[0-9a-f]{64}$/)), {
      nil: undefined,
    });
    fc.assert(
      fc.property(fc.string(), value, value, (body, timestamp, signature) => {
        const result = failure(() =>
          verifySlackRequest(
            body,
            { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
            SECRET,
            NOW,
          ),
        );
        expect(result).toMatch(/^401 /);
      }),
    );
  });
});
