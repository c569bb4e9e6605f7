/** The app setting @baton/azure reads (test/infra holds the two names together). */
export const APP_SERVICE_AUTH_SETTING = 'BATON_APP_SERVICE_AUTH';

/**
 * App Service authentication (auth settings V2) with Microsoft Entra ID on the Function App. The
 * platform validates a bearer token's signature, issuer, audience and expiry, strips any
 * `x-ms-client-principal` a client sends and writes its own for a token it accepted. Requests
 * without one are let through (not redirected) and carry no principal, so the app's route table
 * still decides: API keys, Slack's signed routes and the public health check keep working.
 */
export function appServiceAuthentication(
  appName: $util.Input<string>,
  resourceGroupName: $util.Input<string>,
  options: { issuer: string; clientId: string; audiences?: string[] },
) {
  return new azurenative.web.WebAppAuthSettingsV2('app-auth', {
    name: appName,
    resourceGroupName,
    platform: { enabled: true },
    globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' },
    httpSettings: { requireHttps: true },
    identityProviders: {
      azureActiveDirectory: {
        enabled: true,
        registration: { clientId: options.clientId, openIdIssuer: options.issuer },
        validation: {
          allowedAudiences: options.audiences ?? [`api://${options.clientId}`, options.clientId],
        },
      },
    },
    // An API has no sign-in pages: no token store, nothing kept between requests.
    login: { tokenStore: { enabled: false } },
  });
}
