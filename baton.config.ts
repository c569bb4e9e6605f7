/**
 * This repository's own app, served by `npm start` and bundled by `npm run build:aws` and
 * `npm run build:azure`: the example agent (notes, an approval-gated email, an at-most-once
 * ticket), on the model the environment configures (the offline demo model when none), with Slack
 * when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set.
 */
import { defineBaton } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { slack } from '@baton/slack';

export default defineBaton({
  agents: [createExampleAgent()],
  channels: [slack()],
});
