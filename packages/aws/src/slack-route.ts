// Slack's routes and channel come from @baton/slack (slackRoute, slackChannelFromEnvironment).
import type { SlackHttpResponse } from '@baton/slack';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Slack's answer as Lambda's structured result: the body is already text. */
export function toSlackLambdaResult(response: SlackHttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}
