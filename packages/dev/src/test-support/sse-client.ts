/** One server-sent event as a client parses it: its id (if any) and its data (a chunk, or '[DONE]'). */
export interface SseEvent {
  id: string | null;
  data: string;
}

/**
 * Reads a text/event-stream response message by message, as EventSource would (comments and
 * `retry:` lines skipped), and can hang up mid-stream like a client whose connection dropped.
 *
 * @example
 *   const client = new SseClient(await fetch(url, { signal }), controller);
 *   const first = await client.next();
 */
export class SseClient {
  readonly received: SseEvent[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(
    response: Response,
    private readonly connection: AbortController,
  ) {
    if (!response.body) throw new Error(`expected a stream, got ${response.status}`);
    this.reader = response.body.getReader();
  }

  /** The next message, or null when the server closed the stream. */
  async next(): Promise<SseEvent | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = parse(block);
        if (event) {
          this.received.push(event);
          return event;
        }
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Reads until `stop` is true for a message (returned) or the stream ends (null). */
  async until(stop: (event: SseEvent) => boolean): Promise<SseEvent | null> {
    for (;;) {
      const event = await this.next();
      if (event === null || stop(event)) return event;
    }
  }

  /** Every message up to the end of the stream. */
  async rest(): Promise<SseEvent[]> {
    while ((await this.next()) !== null);
    return this.received;
  }

  /** Drops the connection, as a client that went away. */
  hangUp(): void {
    this.connection.abort();
    this.reader.cancel().catch(() => undefined);
  }
}

function parse(block: string): SseEvent | null {
  let id: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length === 0 ? null : { id, data: data.join('\n') };
}

/** The chunk of a message (null for `[DONE]`). */
export function chunkOf(event: SseEvent): { type: string; [key: string]: unknown } | null {
  return event.data === '[DONE]' ? null : (JSON.parse(event.data) as { type: string });
}
