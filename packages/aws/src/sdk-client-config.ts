import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The options `sdkClientConfig` sets: the SDK clients' own `region` and `credentials`. */
export interface SdkClientConfig {
  region?: string;
  credentials?: ReturnType<typeof fromEnv>;
}

/**
 * What the AWS SDK's default chains would find first in a Lambda environment, handed to a client
 * so its first request does not walk them: `region` from `AWS_REGION`, and `fromEnv()` (the
 * chain's own first provider) as `credentials` when the runtime's key variables are set and no
 * `AWS_PROFILE` sends the chain elsewhere. Anything missing is left to the SDK's defaults, so a
 * client anywhere else resolves exactly as without it. Reads `process.env`, as the SDK does.
 *
 * @example
 * const sqs = new SQSClient(sdkClientConfig());
 */
export function sdkClientConfig(): SdkClientConfig {
  const env = process.env;
  const config: SdkClientConfig = {};
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (!env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) config.credentials = fromEnv();
  return config;
}
