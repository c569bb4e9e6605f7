/**
 * This repository's own app, served by `npm start` and bundled by `npm run build:aws` and
 * `npm run build:azure`: the example agent (notes, an approval-gated email, an at-most-once
 * ticket), on the model the environment configures (the offline demo model when none), with Slack
 * when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set.
 *
 * No `auth` here on purpose: `npm start` keeps working with no set-up, on 127.0.0.1 with the local
 * identity (only this machine's Host and Origin are answered). To require API keys, add
 * `auth: apiKeys()` (from @baton/core), create one with `npx baton keys create --tenant acme`
 * and send it as `Authorization: Bearer <key>`; the console then signs in with a key. Deployed
 * hosts refuse to start without `auth`: `jwt({...})`, `customAuth(fn)`, `platformAuth({...})`, or
 * `'none'` said out loud.
 */
import { defineBaton } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { slack } from '@baton/slack';

export default defineBaton({
  agents: [createExampleAgent()],
  channels: [slack()],
});
