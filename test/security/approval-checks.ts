import type { SessionEvent } from '@baton/core';
import type { HostUnderTest } from './hosts.js';
import { ACME_WAITING, PENDING_CALL, type SuiteKeys, storeSnapshot } from './security-world.js';

/**
 * Approvals of acme's pending call: a key without approve and a read-only key are refused with 403
 * and change nothing; acme's full key decides, and the decision records that key, not the
 * `x-baton-user` the request names.
 */
export async function checkApprovals(host: HostUnderTest, keys: SuiteKeys): Promise<string[]> {
  const problems: string[] = [];
  const approve = (key: string) =>
    host.send({
      method: 'POST',
      path: `/sessions/${ACME_WAITING}/approvals/${PENDING_CALL}`,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-baton-user': 'UBOSS',
      },
      body: JSON.stringify({ approved: true, reason: 'looks fine' }),
    });
  for (const [name, key] of [
    ['a key without approve', keys.acmeNoApprove.key],
    ['a read-only key', keys.acmeReadOnly.key],
  ] as const) {
    const before = await storeSnapshot(host.store);
    const response = await approve(key);
    const code = (response.json as { error?: { code?: string } })?.error?.code;
    if (response.status !== 403)
      problems.push(`approval by ${name}: got ${response.status} ${code ?? response.text}`);
    if ((await storeSnapshot(host.store)) !== before) problems.push(`approval by ${name}: the store changed`);
  }
  const response = await approve(keys.acmeAll.key);
  if (response.status !== 200 && response.status !== 202)
    problems.push(`approval by acme's full key: got ${response.status} ${response.text.slice(0, 160)}`);
  const events = await host.store.readEvents({ tenant: 'acme', sessionId: ACME_WAITING });
  const decisions = events.filter(
    (event): event is SessionEvent & { kind: 'decision' } => event.kind === 'decision',
  );
  const by = decisions.map((event) => ({ by: event.by, via: event.via }));
  const expected = { by: `key:${keys.acmeAll.record.keyId}`, via: 'api_key' };
  if (JSON.stringify(by) !== JSON.stringify([expected]))
    problems.push(`decisions recorded ${JSON.stringify(by)}, expected [${JSON.stringify(expected)}]`);
  return problems;
}
