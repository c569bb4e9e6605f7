import { z } from 'zod';

/**
 * The headers App Service authentication (Easy Auth) adds after it validated a caller's token. The
 * platform removes any a client sends, but only where authentication is enabled: without it they
 * are whatever the client wrote, so the HTTP handler drops them unless the app says it is enabled.
 */
export const CLIENT_PRINCIPAL_HEADERS = [
  'x-ms-client-principal',
  'x-ms-client-principal-id',
  'x-ms-client-principal-name',
  'x-ms-client-principal-idp',
] as const;

/** The app setting the deployment sets when it configured App Service authentication. */
export const APP_SERVICE_AUTH_SETTING = 'BATON_APP_SERVICE_AUTH';

const principalShape = z.object({
  auth_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
});

/**
 * `x-ms-client-principal` (base64 JSON `{ auth_typ, claims: [{ typ, val }], name_typ, role_typ }`)
 * as a claims record: a claim that appears more than once (roles, groups) becomes an array. Null
 * when the header is absent or not that shape, so a garbled header authenticates nobody.
 *
 * @example
 * const claims = clientPrincipalClaims(request.headers.get('x-ms-client-principal'));
 * // { tid: 'acme', oid: '...', roles: ['admin', 'reader'] }
 */
export function clientPrincipalClaims(header: string | null | undefined): Record<string, unknown> | null {
  if (!header) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = principalShape.safeParse(decoded);
  if (!parsed.success) return null;
  const claims: Record<string, unknown> = {};
  for (const { typ, val } of parsed.data.claims) {
    const known = claims[typ];
    if (known === undefined) claims[typ] = val;
    else claims[typ] = Array.isArray(known) ? [...known, val] : [known, val];
  }
  return claims;
}
