import type { HostUnderTest, SuiteRequest, SuiteResponse } from './hosts.js';
import type { Findings } from './security-checks.js';
import { errorProblem, unchanged } from './security-checks.js';
import { ACME_MARKER, type SuiteKeys } from './security-world.js';

/** acme's conversation through the front door, waiting for approval of its email to bob. */
const CONVERSATION = 'acme-front-door';
const APPROVAL = 'mcpr_mail-bob';

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
};

type Body = Record<string, unknown>;

/**
 * The OpenAI-compatible front door (`/v1/...`) beyond the route table's cases: another tenant's
 * `previous_response_id`, response id and conversation name; an approval by a key without
 * `approve`; malformed and oversized bodies. Each refusal is OpenAI's error shape with the status
 * the SDK maps to its error class, shows nothing of acme's, and changes nothing; at the end acme's
 * own approval through the front door runs the tool.
 */
export async function checkFrontDoor(host: HostUnderTest, keys: SuiteKeys): Promise<Findings> {
  const findings: Findings = { cases: 0, problems: [] };
  const as = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });
  const post = (key: string, body: Body | string): SuiteRequest => ({
    method: 'POST',
    path: '/v1/responses',
    headers: as(key),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  /**
   * The response once its run ended. Hosts whose request budget is under a model call's reserve
   * (the suite's Lambda and Azure hosts, with no queue worker) leave the run `in_progress`: run it
   * here with time enough, as seedSessions does, and read the response back.
   */
  const settled = async (answer: SuiteResponse): Promise<SuiteResponse> => {
    const id = (answer.json as { id?: string; status?: string } | undefined)?.id;
    if (answer.status !== 200 || !id || (answer.json as { status?: string }).status !== 'in_progress')
      return answer;
    // A run that finds the session leased by the request's own (handed-off) run tries again later.
    for (let attempt = 0; attempt < 240; attempt++) {
      const ran = await host.app.baton.run(
        { tenant: 'acme', sessionId: CONVERSATION },
        { deadline: Date.now() + 15 * 60_000 },
      );
      const read = await host.send({
        method: 'GET',
        path: `/v1/responses/${id}`,
        headers: as(keys.acmeAll.key),
      });
      if ((read.json as { status?: string } | undefined)?.status !== 'in_progress') return read;
      unsettled = JSON.stringify(ran);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return answer;
  };
  let unsettled = '';

  const seeded = await settled(
    await host.send(
      post(keys.acmeAll.key, {
        model: 'guarded',
        input: `email bob ${ACME_MARKER}`,
        conversation: CONVERSATION,
      }),
    ),
  );
  const acmeResponse = seeded.json as { id?: string; output?: { id?: string }[] } | undefined;
  const id = acmeResponse?.id;
  if (seeded.status !== 200 || !id || !acmeResponse?.output?.some((item) => item.id === APPROVAL)) {
    return {
      cases: 1,
      problems: [`acme's first response: got ${seeded.status} ${seeded.text.slice(0, 200)}`],
    };
  }
  const globexOwn = await host.send(post(keys.globex.key, { model: 'guarded', input: 'hello' }));
  const globexId = (globexOwn.json as { id?: string } | undefined)?.id ?? '';
  // acme's id with globex's tenant tag: the same session name, asked for in globex's namespace.
  const forged = id.split('_').map((part, index) => (index === 2 ? (globexId.split('_')[2] ?? part) : part));
  const approval = [{ type: 'mcp_approval_response', approval_request_id: APPROVAL, approve: true }];

  /** One hostile request: the status and code expected, acme's part of the store untouched. */
  const refused = async (name: string, request: SuiteRequest, status: number, codes?: readonly string[]) => {
    findings.cases++;
    const { response, changed } = await unchanged(host, request, 'acme');
    const problem = codes
      ? errorProblem(response, status, codes, request.path)
      : openAiProblem(response, status);
    if (problem) findings.problems.push(`${name}: ${problem}`);
    if (changed) findings.problems.push(`${name}: acme's sessions changed`);
  };

  const globex = keys.globex.key;
  await refused(
    "globex continuing acme's response (previous_response_id)",
    post(globex, { model: 'guarded', input: 'what did acme say?', previous_response_id: id }),
    404,
    ['response_not_found'],
  );
  await refused(
    "globex reading acme's response",
    { method: 'GET', path: `/v1/responses/${encodeURIComponent(id)}`, headers: as(globex) },
    404,
    ['response_not_found'],
  );
  await refused(
    "globex approving acme's pending call",
    post(globex, { model: 'guarded', input: approval, previous_response_id: id }),
    404,
    ['response_not_found'],
  );
  await refused(
    "globex continuing acme's response under globex's tenant tag",
    post(globex, { model: 'guarded', input: 'hello', previous_response_id: forged.join('_') }),
    404,
    ['response_not_found'],
  );
  await refused(
    "an acme key without approve approving acme's call",
    post(keys.acmeNoApprove.key, { model: 'guarded', input: approval, previous_response_id: id }),
    403,
    // Refused by the scope check, or by the approver policy (which asks for `approve` by default).
    ['insufficient_scope', 'not_an_approver'],
  );

  // A conversation name is the caller's tenant's: globex naming acme's gets a session of its own.
  findings.cases++;
  const named = await unchanged(
    host,
    post(globex, { model: 'guarded', input: 'hello', conversation: CONVERSATION }),
    'acme',
  );
  if (named.changed) findings.problems.push("globex naming acme's conversation: acme's sessions changed");
  if (named.response.text.includes(ACME_MARKER) || named.response.status >= 500)
    findings.problems.push(
      `globex naming acme's conversation: got ${named.response.status} ${named.response.text.slice(0, 160)}`,
    );
  await host.store.delete({ tenant: 'globex', sessionId: CONVERSATION });

  const acme = keys.acmeAll.key;
  const malformed: [string, SuiteRequest, number][] = [
    ['a body that is not JSON', post(acme, '{"model": "guarded", "input": '), 400],
    ['a JSON array', post(acme, '[]'), 400],
    ['no model', post(acme, { input: 'hello' }), 400],
    ['no input', post(acme, { model: 'guarded' }), 400],
    ['a model that names no agent', post(acme, { model: 'gpt-5', input: 'hello' }), 404],
    ['a number as input', post(acme, { model: 'guarded', input: 42 }), 400],
    [
      'a client-side function_call_output item',
      post(acme, { model: 'guarded', input: [{ type: 'function_call_output', call_id: 'c', output: 'x' }] }),
      400,
    ],
    ['stream: "yes"', post(acme, { model: 'guarded', input: 'hello', stream: 'yes' }), 400],
    [
      'a previous_response_id that was never issued',
      post(acme, { model: 'guarded', input: 'hello', previous_response_id: 'resp_nonsense' }),
      404,
    ],
    [
      'both conversation and previous_response_id',
      post(acme, { model: 'guarded', input: 'hello', conversation: CONVERSATION, previous_response_id: id }),
      400,
    ],
    ['an approval without previous_response_id', post(acme, { model: 'guarded', input: approval }), 400],
    [
      'a text/plain body',
      {
        ...post(acme, { model: 'guarded', input: 'hello' }),
        headers: { ...as(acme), 'content-type': 'text/plain' },
      },
      415,
    ],
    ['a 300 KiB input', post(acme, { model: 'guarded', input: 'x'.repeat(300 * 1024) }), 413],
    [
      'chat messages that are not a list',
      { ...post(acme, { model: 'guarded', messages: 'hello' }), path: '/v1/chat/completions' },
      400,
    ],
  ];
  for (const [name, request, status] of malformed) {
    findings.cases++;
    const { response, changed } = await unchanged(host, request, 'acme');
    const problem = openAiProblem(response, status);
    if (problem) findings.problems.push(`${name}: ${problem}`);
    if (changed) findings.problems.push(`${name}: acme's sessions changed`);
  }

  // acme's own approval through the front door: the tool runs, the conversation is done.
  findings.cases++;
  const approved = await settled(
    await host.send(post(acme, { model: 'guarded', input: approval, previous_response_id: id })),
  );
  const body = approved.json as {
    status?: string;
    output?: { type?: string; name?: string; status?: string }[];
  };
  const ran = body?.output?.some(
    (item) => item.type === 'mcp_call' && item.name === 'send_email' && item.status === 'completed',
  );
  if (approved.status !== 200 || body?.status !== 'completed' || !ran)
    findings.problems.push(
      `acme's approval: got ${approved.status} ${approved.text.slice(0, 200)} (last run: ${unsettled})`,
    );
  return findings;
}

/** OpenAI's error shape with the status's `type`, nothing of acme's in it; else what is wrong. */
function openAiProblem(response: SuiteResponse, status: number): string | null {
  const error = (response.json as { error?: { message?: unknown; type?: unknown; param?: unknown } })?.error;
  if (response.status !== status || !error)
    return `got ${response.status} ${response.text.slice(0, 160)}, expected ${status}`;
  if (typeof error.message !== 'string' || error.type !== OPENAI_TYPES[status] || !('param' in error))
    return `not an OpenAI error of type ${OPENAI_TYPES[status]}: ${response.text.slice(0, 160)}`;
  if (response.text.includes(ACME_MARKER)) return "the error shows acme's session";
  return null;
}
