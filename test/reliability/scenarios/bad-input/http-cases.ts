import type { BadInputCase } from './corpus.js';
import type { CorpusWorld } from './corpus-world.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Hostile requests to every route of the HTTP API, sent over a socket to the local server. */
export function httpCases(world: CorpusWorld): BadInputCase[] {
  const post =
    (path: string, body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE) =>
    () =>
      world.http('POST', path, { headers, body });
  const get =
    (path: string, headers: Record<string, string> = {}) =>
    () =>
      world.http('GET', path, { headers });
  const message = (body: string, headers?: Record<string, string>) =>
    post('/sessions/victim/messages', body, headers);
  const approval = (
    body: string,
    headers?: Record<string, string>,
    callId = 'mail-ana',
    session = 'victim',
  ) => post(`/sessions/${session}/approvals/${callId}`, body, headers);
  // Deep nesting where a string belongs (nesting in a field the API ignores is a valid request).
  const deep = `{"text":${'['.repeat(50_000)}"hi"${']'.repeat(50_000)}}`;
  const deepApproval = `{"approved":${'{"a":'.repeat(20_000)}true${'}'.repeat(20_000)}}`;
  const cases: [
    name: string,
    expected: { status: number; code: string },
    send: () => Promise<{ status?: number; code?: string }>,
  ][] = [
    ['malformed JSON', { status: 400, code: 'invalid_json' }, message('{"text":')],
    ['a JSON array body', { status: 400, code: 'invalid_input' }, message('["hi"]')],
    ['a JSON string body', { status: 400, code: 'invalid_input' }, message('"hi"')],
    ['a JSON null body', { status: 400, code: 'invalid_input' }, message('null')],
    ['an empty body', { status: 400, code: 'invalid_json' }, message('')],
    ['text as a number', { status: 400, code: 'invalid_input' }, message('{"text":42}')],
    ['text as an array', { status: 400, code: 'invalid_input' }, message('{"text":["hi"]}')],
    ['an empty text', { status: 400, code: 'invalid_input' }, message('{"text":""}')],
    ['a text of spaces', { status: 400, code: 'invalid_input' }, message('{"text":"   "}')],
    ['agent as a number', { status: 400, code: 'invalid_input' }, message('{"text":"hi","agent":7}')],
    ['an unknown agent', { status: 404, code: 'unknown_agent' }, message('{"text":"hi","agent":"nobody"}')],
    [
      'a body over 256 KiB',
      { status: 413, code: 'payload_too_large' },
      message(JSON.stringify({ text: 'x'.repeat(300_000) })),
    ],
    [
      'a text over the agent limit',
      { status: 413, code: 'payload_too_large' },
      message(JSON.stringify({ text: 'x'.repeat(70_000) })),
    ],
    ['a text nested 50,000 arrays deep', { status: 400, code: 'invalid_input' }, message(deep)],
    [
      'an approval nested 20,000 objects deep',
      { status: 400, code: 'invalid_input' },
      approval(deepApproval),
    ],
    [
      'text/plain',
      { status: 415, code: 'unsupported_media_type' },
      message('{"text":"hi"}', { 'content-type': 'text/plain' }),
    ],
    [
      'a form body',
      { status: 415, code: 'unsupported_media_type' },
      message('text=hi', { 'content-type': 'application/x-www-form-urlencoded' }),
    ],
    [
      'multipart',
      { status: 415, code: 'unsupported_media_type' },
      message('--b\r\n\r\nhi\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }),
    ],
    [
      'an Idempotency-Key of 300 characters',
      { status: 400, code: 'invalid_input' },
      message('{"text":"hi"}', { ...JSON_TYPE, 'idempotency-key': 'k'.repeat(300) }),
    ],
    [
      'an empty Idempotency-Key',
      { status: 400, code: 'invalid_input' },
      message('{"text":"hi"}', { ...JSON_TYPE, 'idempotency-key': '' }),
    ],
    [
      'a tenant header with spaces',
      { status: 400, code: 'invalid_input' },
      message('{"text":"hi"}', { ...JSON_TYPE, 'x-baton-tenant': 'bad tenant' }),
    ],
    [
      'a session id with a NUL byte',
      { status: 400, code: 'invalid_input' },
      post('/sessions/a%00b/messages', '{"text":"hi"}'),
    ],
    [
      'a session id of 300 characters',
      { status: 400, code: 'invalid_input' },
      post(`/sessions/${'s'.repeat(300)}/messages`, '{"text":"hi"}'),
    ],
    [
      'broken percent-encoding',
      { status: 400, code: 'invalid_input' },
      post('/sessions/%E0%A4%A/messages', '{"text":"hi"}'),
    ],
    ['an unknown session', { status: 404, code: 'session_not_found' }, get('/sessions/nobody-here')],
    [
      'the events of an unknown session',
      { status: 404, code: 'session_not_found' },
      get('/sessions/nobody-here/events'),
    ],
    [
      "another tenant's session",
      { status: 404, code: 'session_not_found' },
      get('/sessions/victim', { 'x-baton-tenant': 'mallory' }),
    ],
    [
      "another tenant's events",
      { status: 404, code: 'session_not_found' },
      get('/sessions/victim/events', { 'x-baton-tenant': 'mallory' }),
    ],
    ['events after=-1', { status: 400, code: 'invalid_input' }, get('/sessions/victim/events?after=-1')],
    ['events after=abc', { status: 400, code: 'invalid_input' }, get('/sessions/victim/events?after=abc')],
    ['events limit=0', { status: 400, code: 'invalid_input' }, get('/sessions/victim/events?limit=0')],
    [
      'events limit=100000',
      { status: 400, code: 'invalid_input' },
      get('/sessions/victim/events?limit=100000'),
    ],
    [
      'a list with an unknown status',
      { status: 400, code: 'invalid_input' },
      get('/sessions?status=sleeping'),
    ],
    ['a list with limit=0', { status: 400, code: 'invalid_input' }, get('/sessions?limit=0')],
    [
      'a list with a forged cursor',
      { status: 400, code: 'invalid_input' },
      get('/sessions?cursor=not-a-cursor'),
    ],
    [
      'an approval with approved "yes"',
      { status: 400, code: 'invalid_input' },
      approval('{"approved":"yes"}'),
    ],
    [
      'an approval without approved',
      { status: 400, code: 'invalid_input' },
      approval('{"reason":"because"}'),
    ],
    [
      'an approval with a numeric reason',
      { status: 400, code: 'invalid_input' },
      approval('{"approved":true,"reason":5}'),
    ],
    [
      'an approval with a 3000-character reason',
      { status: 400, code: 'invalid_input' },
      approval(JSON.stringify({ approved: true, reason: 'r'.repeat(3_000) })),
    ],
    ['an approval as malformed JSON', { status: 400, code: 'invalid_json' }, approval('{"approved":tru')],
    [
      'an approval for a call that is not waiting',
      { status: 404, code: 'no_pending_approval' },
      approval('{"approved":true}', JSON_TYPE, 'mail-zed'),
    ],
    [
      'an approval for an unknown session',
      { status: 404, code: 'session_not_found' },
      approval('{"approved":true}', JSON_TYPE, 'mail-ana', 'nobody-here'),
    ],
    [
      'an approval in another tenant',
      { status: 404, code: 'session_not_found' },
      approval('{"approved":true}', { ...JSON_TYPE, 'x-baton-tenant': 'mallory' }),
    ],
    [
      'the opposite decision for a decided call',
      { status: 409, code: 'already_decided' },
      approval('{"approved":false}', JSON_TYPE, 'mail-bo', 'decided'),
    ],
    [
      'PUT on a session',
      { status: 405, code: 'method_not_allowed' },
      () => world.http('PUT', '/sessions/victim', { headers: JSON_TYPE, body: '{}' }),
    ],
    ['GET on messages', { status: 405, code: 'method_not_allowed' }, get('/sessions/victim/messages')],
    ['an unknown route', { status: 404, code: 'not_found' }, get('/admin/shell')],
  ];
  return cases.map(([name, expected, send]) => ({ entry: 'http', name, expected, send }));
}
