import type { ModelRequest, ModelStreamEvent } from '@baton/core';
import {
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedStep,
  type ScriptFunction,
} from './scripted-model.js';

export interface StreamingModelOptions extends ScriptedModelOptions {
  /** How a response's text is cut into deltas; default: one delta per word (with its spaces). */
  pieces?: (text: string) => string[];
  /**
   * Awaited before each text delta: a test holds the stream here (a DeltaGate) to act between two
   * deltas without sleeping. Default: no wait.
   */
  pace?: (delta: { call: number; index: number; text: string }) => Promise<void>;
}

/**
 * A ScriptedModel with `stream()`: each scripted response comes as text deltas, then one delta per
 * tool call (name and whole arguments), then the response itself, as a provider adapter streams.
 * The committed events are those of `generate()`.
 *
 * @example
 * const gate = new DeltaGate();
 * const model = new StreamingScriptedModel([reply('Hello there, friend.')], { pace: () => gate.next() });
 * gate.release(2); // the first two deltas go out; the third waits
 */
export class StreamingScriptedModel extends ScriptedModel {
  private readonly pieces: (text: string) => string[];
  private readonly pace: StreamingModelOptions['pace'];
  private streamed = 0;

  constructor(script: readonly ScriptedStep[] | ScriptFunction, options: StreamingModelOptions = {}) {
    super(script, options);
    this.pieces = options.pieces ?? wordsOf;
    this.pace = options.pace;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    const call = this.streamed++;
    const response = await this.generate(request);
    const pieces = this.pieces(response.text);
    for (const [index, text] of pieces.entries()) {
      await this.pace?.({ call, index, text });
      request.signal?.throwIfAborted();
      yield { type: 'text_delta', text };
    }
    for (const toolCall of response.toolCalls) {
      yield {
        type: 'tool_call_delta',
        callId: toolCall.callId,
        name: toolCall.name,
        argumentsDelta: toolCall.arguments,
      };
    }
    yield { type: 'response', response };
  }
}

/**
 * Holds a streaming model between deltas: each `next()` (the model's `pace`) waits for a
 * `release()`. `waiting` says how many deltas are held now, `passed` how many went through.
 *
 * @example
 * const gate = new DeltaGate();
 * gate.release(); // one delta may go
 * gate.open(); // every later one too
 */
export class DeltaGate {
  passed = 0;
  private credits = 0;
  private opened = false;
  private readonly held: (() => void)[] = [];

  get waiting(): number {
    return this.held.length;
  }

  next(): Promise<void> {
    if (this.opened || this.credits > 0) {
      if (!this.opened) this.credits--;
      this.passed++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.held.push(() => {
        this.passed++;
        resolve();
      }),
    );
  }

  /** Lets `count` more deltas through (those waiting first). */
  release(count = 1): void {
    for (let i = 0; i < count; i++) {
      const waiter = this.held.shift();
      if (waiter) waiter();
      else this.credits++;
    }
  }

  /** Lets every delta through from now on. */
  open(): void {
    this.opened = true;
    for (const waiter of this.held.splice(0)) waiter();
  }
}

function wordsOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
