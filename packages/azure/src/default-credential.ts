import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * `DefaultAzureCredential`, in a module of its own that `lazyCredential` imports on the first token
 * request. A static import names the one class the app uses, so the bundle keeps it and what it
 * chains (environment, workload and managed identity, the developer tools' logins) and leaves out
 * the credentials nothing makes (interactive browser, device code, on-behalf-of...); `import()` of
 * the package itself would keep every export.
 *
 * @example
 * const credential = defaultAzureCredential();
 */
export function defaultAzureCredential(): TokenCredential {
  return new DefaultAzureCredential();
}
