/**
 * Secrets that upstream error text is known to echo (a provider repeating the Authorization
 * header, an SDK printing the request URL): each pattern keeps what names the secret and replaces
 * the secret itself, so an error stays readable and the key never reaches events, the console or
 * the logs.
 */
const REDACTED = '[redacted]';

const RULES: { pattern: RegExp; keep: (...groups: string[]) => string }[] = [
  // Header echoes: `Authorization: Bearer x`, `"authorization":"Basic x"`, `x-api-key: x`.
  {
    pattern:
      /\b((?:proxy-)?authorization|(?:x-)?api[-_]?key)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest)\s+)?[^\s"',;&]+/gi,
    keep: (name, separator, scheme) => `${name}${separator}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  // A bearer token on its own: long and with a digit, so prose like "Bearer tokens expire" stays.
  {
    pattern: /\b(bearer)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/-]{16,}=*/gi,
    keep: (scheme) => `${scheme} ${REDACTED}`,
  },
  // AWS secret access keys, as credentials files, env and JSON name them.
  {
    pattern: /\b(aws_secret_access_key|secret_?access_?key)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi,
    keep: (name, separator) => `${name}${separator}${REDACTED}`,
  },
  // Query and form values: `?key=`, `&access_token=`, `client_secret=`, `password=`.
  {
    pattern:
      /(^|[^A-Za-z0-9])((?:[A-Za-z0-9]+[_-])*(?:api_?key|apikey|key|token|secret|password|passwd))=([^&\s"'<>#]+)/gi,
    keep: (before, name) => `${before}${name}=${REDACTED}`,
  },
  // JSON echoes of a request body: `"password":"x"`, `"client_secret": "x"`, `"apiKey":"x"`.
  {
    pattern: /("(?:[A-Za-z0-9]+[_-])*(?:api_?key|apikey|token|secret|password|passwd)"\s*:\s*")[^"]*"/gi,
    keep: (start) => `${start}${REDACTED}"`,
  },
  // Tokens recognisable by their shape alone.
  { pattern: /\bbk_[A-Za-z0-9]{8,}_[A-Za-z0-9_-]{16,}/g, keep: () => REDACTED },
  { pattern: /\bsk-[A-Za-z0-9_-]{20,}/g, keep: () => REDACTED },
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, keep: () => REDACTED },
  { pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}/g, keep: () => REDACTED },
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, keep: () => REDACTED },
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, keep: () => REDACTED },
];

/**
 * Replaces secrets in text with `[redacted]`: Authorization and api-key header values, bearer
 * tokens, Baton keys (`bk_…`), OpenAI keys (`sk-…`), Slack tokens (`xox…-`), AWS access key ids
 * and secret keys, secret-looking query values and JWTs. Applied to every error recorded in a
 * session and to every log line.
 *
 * @example
 * redactSecrets('401 from upstream: Authorization: Bearer sk-proj-abc123def456ghi789jkl');
 * // '401 from upstream: Authorization: Bearer [redacted]'
 */
export function redactSecrets(text: string): string {
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (...args: unknown[]) => {
      // replace() passes the match, its groups (undefined when unmatched), then the offset.
      const groups = args.slice(
        1,
        args.findIndex((arg) => typeof arg === 'number'),
      );
      return rule.keep(...groups.map((group) => (typeof group === 'string' ? group : '')));
    });
  }
  return result;
}
