import type { DeployedFunction } from './aws-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { callsOf, type Recording, referencePath } from './recording.js';
import { routeIsServed, routeShape } from './served-routes.js';
import { seconds } from './sst-duration.js';

/** How the API's routes and the http function's timeout differ from what the HTTP handler serves. */
export async function apiMismatches(
  recording: Recording,
  facts: AwsFacts,
  functions: DeployedFunction[],
): Promise<string[]> {
  const problems: string[] = [];
  const http = functions.find((fn) => fn.entry === 'http' && fn.label.startsWith('Function '));
  if (!http) return ['no Function deploys the http handler for the API routes'];
  const httpName = http.label.replace(/^Function /, '');
  const timeout = seconds(http.args.timeout as string | undefined) ?? 20;
  if (timeout * 1000 < facts.httpBudgetMs) {
    problems.push(
      `the http function's timeout (${timeout} s) is shorter than the budget it plans with (${facts.httpBudgetMs} ms)`,
    );
  }
  const routes = callsOf(recording, /\.route$/);
  if (routes.length === 0) problems.push('the API declares no routes');
  const authorizers = callsOf(recording, /\.addAuthorizer$/).map((call) => `${call.target}().id`);
  for (const route of routes) {
    const [key, handler, args] = route.args as [string, unknown, RouteArgs | undefined];
    problems.push(...authorizerMismatches(key, args, authorizers, facts));
    if (referencePath(handler) !== `${httpName}.arn`)
      problems.push(`route ${key} does not reach the http function`);
    const [, path = ''] = key.split(' ');
    if (path.startsWith('/slack/')) {
      const kind = path.slice('/slack/'.length);
      if (!facts.slackKinds.includes(kind))
        problems.push(`route ${key} is not a Slack request kind (${facts.slackKinds.join(', ')})`);
    } else if (!(await routeIsServed(key))) {
      problems.push(`route ${key} is not one the HTTP handler serves`);
    }
  }
  // The other way round: every route core serves is declared, or API Gateway answers it 404 in a
  // deployed stack while every test through the handler passes. The stream route is the HttpStream
  // Function URL's (API Gateway buffers responses).
  const declared = new Set(routes.map((route) => routeShape((route.args as [string])[0])));
  for (const key of facts.apiRoutes) {
    if (key.endsWith('/stream') || declared.has(routeShape(key))) continue;
    problems.push(`core's route ${key} is not declared on API Gateway, so a deployed stack answers it 404`);
  }
  return problems;
}

interface RouteArgs {
  auth?: { jwt?: { authorizer?: unknown } } | false;
}

/**
 * With a JWT authorizer, every route core guards must carry it (else API Gateway lets requests
 * without a valid token reach a route the deployment meant to guard), and Slack's and the public
 * ones must not (Slack cannot send a token; a health probe holds none).
 */
function authorizerMismatches(
  key: string,
  args: RouteArgs | undefined,
  authorizers: string[],
  facts: AwsFacts,
): string[] {
  const jwt = args?.auth ? args.auth.jwt : undefined;
  const guardedBy = jwt ? referencePath(jwt.authorizer) : undefined;
  const open = key.split(' ')[1]?.startsWith('/slack/') || facts.publicRoutes.has(routeShape(key));
  if (open) {
    return jwt ? [`route ${key} requires a JWT, which its callers cannot send`] : [];
  }
  if (authorizers.length === 0) {
    return jwt ? [`route ${key} names a JWT authorizer the API does not declare`] : [];
  }
  if (!jwt) return [`route ${key} is not behind the JWT authorizer`];
  if (!guardedBy || !authorizers.includes(guardedBy))
    return [`route ${key} names a JWT authorizer the API does not declare`];
  return [];
}
