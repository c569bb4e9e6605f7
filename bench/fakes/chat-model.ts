import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { callId, callsTool, ModelClock, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

/**
 * A chat model with tool calling that answers with the benchmark's script. LangChain's own fakes
 * (FakeListChatModel) cannot emit tool calls, so this is the smallest BaseChatModel that can.
 */
export class ScriptedChatModel extends BaseChatModel {
  turn = 0;
  first = true;
  userMessagesSeen = 0;

  constructor(private readonly clock: ModelClock = new ModelClock()) {
    super({});
  }

  _llmType(): string {
    return 'scripted';
  }

  // The script ignores tool schemas, so binding returns the model itself.
  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    return this.clock.time(() => {
      if (this.first) {
        this.first = false;
        this.userMessagesSeen = messages.filter((message) => message.getType() === 'human').length;
      }
      const last = messages.at(-1);
      const message =
        last?.getType() === 'human' && callsTool(this.turn)
          ? new AIMessage({
              content: '',
              tool_calls: [
                {
                  id: callId(this.turn),
                  name: TOOL_NAME,
                  args: JSON.parse(TOOL_ARGUMENTS),
                  type: 'tool_call',
                },
              ],
            })
          : new AIMessage({ content: REPLY_TEXT });
      return { generations: [{ text: typeof message.content === 'string' ? message.content : '', message }] };
    });
  }
}
