/**
 * This repository's own app, served by `npm start` and bundled by `npm run build:aws` and
 * `npm run build:azure`: the example agent (notes, an approval-gated email, an at-most-once
 * ticket), on the model the environment configures (the offline demo model when none), with Slack
 * when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set.
 *
 * Callers authenticate with API keys (`npx baton keys create --tenant acme`, sent as
 * `Authorization: Bearer <key>`); other modes: `jwt({...})`, `customAuth(fn)`, `platformAuth({...})`.
 * `npm start` still needs no set-up: on 127.0.0.1 a request without credentials is this machine's
 * developer (only local Host and Origin are answered; BATON_REQUIRE_AUTH=1 turns that off), while
 * a deployed stack refuses every request without a key.
 */
import { apiKeys, defineBaton } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { slack } from '@baton/slack';

export default defineBaton({
  agents: [createExampleAgent()],
  channels: [slack()],
  auth: apiKeys(),
});
