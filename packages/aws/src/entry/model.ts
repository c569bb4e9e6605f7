import { type Logger, type Model, modelSetting } from '@baton/core';
import { offlineDemoModel } from '@baton/example-agent';
import { bedrockModelFromEnvironment } from '@baton/model-bedrock';
import { openAIModelFromEnvironment } from '@baton/model-openai';

/** Reads the environment and returns the model it configures, or null when it configures none of this picker's. */
export type ModelPicker = (env: NodeJS.ProcessEnv) => { model: Model; description: string } | null;

/**
 * The hook for providers: each picker recognises its own `BATON_MODEL_PROVIDER` values and
 * variables (the same ones `npm start` reads). A deployment adds its own, or drops one to keep an
 * SDK out of its bundle.
 */
export const MODEL_PICKERS: readonly ModelPicker[] = [
  openAIModelFromEnvironment,
  bedrockModelFromEnvironment,
];

/**
 * The model the deployed example agent uses, chosen from the environment by the pickers. With no
 * provider configured (or `BATON_MODEL_PROVIDER=offline`) it is the offline demo model, announced
 * in the log; a provider name no picker knows stops the cold start instead of silently serving the
 * demo model.
 *
 * @example
 * const model = modelFromEnvironment({ env: process.env, pickers: [...MODEL_PICKERS, myPicker] });
 */
export function modelFromEnvironment(
  options: {
    env?: NodeJS.ProcessEnv;
    pickers?: readonly ModelPicker[];
    logger?: Pick<Logger, 'info' | 'warn'>;
  } = {},
): Model {
  const env = options.env ?? process.env;
  const { provider } = modelSetting(env);
  if (provider !== 'offline') {
    for (const pick of options.pickers ?? MODEL_PICKERS) {
      const choice = pick(env);
      if (choice) {
        options.logger?.info('model configured', { model: choice.description });
        return choice.model;
      }
    }
    if (provider) {
      throw new Error(
        `BATON_MODEL_PROVIDER=${provider} is not a provider this deployment knows; add a picker for it`,
      );
    }
  }
  options.logger?.warn('serving the OFFLINE DEMO MODEL: no model provider is configured', {
    hint: 'set BATON_MODEL_PROVIDER (see the README) to use a real model',
  });
  return offlineDemoModel();
}
