import { type Recording, referencePath, resourcesOf } from './recording.js';

/**
 * App Service authentication and the app agree: the app trusts `x-ms-client-principal` exactly
 * when the platform guards it (BATON_APP_SERVICE_AUTH with an auth settings resource on this app),
 * and the platform lets unauthenticated requests through to the app's route table, since Slack,
 * the health check and API-key callers hold no Entra ID token.
 */
export function appServiceAuthMismatches(
  recording: Recording,
  appName: string,
  settings: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const level = settings.get('BATON_HTTP_AUTH_LEVEL');
  if (level !== 'function' && level !== 'anonymous')
    problems.push(`BATON_HTTP_AUTH_LEVEL is ${level}, not function or anonymous`);
  const auth = resourcesOf(recording, 'azurenative.web.WebAppAuthSettingsV2').filter(
    (resource) => referencePath(resource.args.name) === `${appName}.name`,
  );
  const trusted = settings.get('BATON_APP_SERVICE_AUTH') === 'true';
  if (auth.length === 0) {
    if (trusted)
      problems.push(
        'BATON_APP_SERVICE_AUTH is true but App Service authentication is not configured: anyone can write x-ms-client-principal',
      );
    return problems;
  }
  if (!trusted)
    problems.push('App Service authentication is configured but BATON_APP_SERVICE_AUTH is not true');
  const args = auth[0]!.args as {
    platform?: { enabled?: boolean };
    globalValidation?: { requireAuthentication?: boolean; unauthenticatedClientAction?: string };
  };
  if (args.platform?.enabled !== true) problems.push('App Service authentication is not enabled');
  const validation = args.globalValidation ?? {};
  if (validation.requireAuthentication || validation.unauthenticatedClientAction !== 'AllowAnonymous')
    problems.push(
      'App Service authentication refuses requests without a token, which locks out Slack, /healthz and API keys',
    );
  return problems;
}
