import type { Model } from '@baton/core';
import { generateChat, streamChat } from './chat-completions.js';
import { generateResponses, streamResponses } from './responses.js';
import type { OpenAIModelSettings } from './settings.js';

/** One Model over a configured client; every factory in this package ends here. */
export function modelFromSettings(settings: OpenAIModelSettings): Model {
  return {
    provider: settings.provider,
    modelId: settings.model,
    generate: (request) =>
      settings.api === 'chat' ? generateChat(settings, request) : generateResponses(settings, request),
    stream: (request) =>
      settings.api === 'chat' ? streamChat(settings, request) : streamResponses(settings, request),
  };
}
