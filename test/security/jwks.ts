import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export const ISSUER = 'https://issuer.baton.test/';
export const AUDIENCE = 'baton-security-suite';

/** The claims of a token this suite mints: `tenant` is the claim the app is told holds the tenant. */
export interface TokenClaims {
  sub?: string;
  tenant?: string;
  scope?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now the token expires (negative: already expired). Default one hour. */
  expiresIn?: number;
}

/**
 * An identity provider on 127.0.0.1: a JWKS endpoint serving one RS256 public key, the matching
 * private key to sign good tokens, and a second key the JWKS never lists (a forger's).
 */
export interface IdentityProvider {
  jwksUrl: string;
  /** Signed with the key the JWKS lists. */
  token(claims?: TokenClaims): Promise<string>;
  /** Signed with a key the JWKS does not list, under the listed key's kid. */
  forgedToken(claims?: TokenClaims): Promise<string>;
  /** `alg: none`: a header and claims with an empty signature. */
  unsignedToken(claims?: TokenClaims): string;
  close(): Promise<void>;
}

const KID = 'security-suite-1';

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const listed = await generateKeyPair('RS256');
  const forger = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(listed.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sign = (key: KeyLike, claims: TokenClaims) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = claimsOf(claims);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setSubject(claims.sub ?? 'user-ana')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now + (claims.expiresIn ?? 3600))
      .sign(key);
  };
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (claims = {}) => sign(listed.privateKey, claims),
    forgedToken: (claims = {}) => sign(forger.privateKey, claims),
    unsignedToken(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const payload = {
        ...claimsOf(claims),
        iss: claims.iss ?? ISSUER,
        aud: claims.aud ?? AUDIENCE,
        sub: claims.sub ?? 'user-ana',
        iat: now,
        exp: now + (claims.expiresIn ?? 3600),
      };
      return `${encode({ alg: 'none', typ: 'JWT', kid: KID })}.${encode(payload)}.`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function claimsOf(claims: TokenClaims): Record<string, unknown> {
  return {
    tenant: claims.tenant ?? 'acme',
    scope: claims.scope ?? 'send read approve admin',
  };
}
