import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCRIPT } from './console-assets.js';

/**
 * No browser runs in this suite, so the page script runs in a VM against the few DOM objects it
 * touches. What is checked is its contract with the server: where and what Approve / Reject post,
 * and where the stream's server-rendered fragments go.
 */

class FakeElement {
  html = '';
  textContent = '';
  outerHTML = '';
  disabled = false;
  insertAdjacentHTML(_where: string, text: string) {
    this.html += text;
  }
}

class FakeForm {
  readonly classList = { contains: (name: string) => name === 'approval' };
  readonly status = new FakeElement();
  readonly buttons = [new FakeElement(), new FakeElement()];
  constructor(
    readonly dataset: Record<string, string>,
    private readonly reason: string,
  ) {}
  readonly elements = { namedItem: () => ({ value: this.reason }) };
  querySelector() {
    return this.status;
  }
  querySelectorAll() {
    return this.buttons;
  }
}

function load(options: { streamUrl?: string } = {}) {
  const listeners: Record<string, (event: unknown) => void> = {};
  const sources: {
    url: string;
    listeners: Record<string, (event: { data: string }) => void>;
    closed: boolean;
  }[] = [];
  const fetches: { url: string; init: { method: string; headers: Record<string, string>; body: string } }[] =
    [];
  const elements: Record<string, FakeElement> = {
    timeline: new FakeElement(),
    conversation: new FakeElement(),
    live: new FakeElement(),
    summary: new FakeElement(),
    approvals: new FakeElement(),
  };
  const page = options.streamUrl ? { dataset: { streamUrl: options.streamUrl, lastSeq: '4' } } : null;
  const window = {
    EventSource: class {
      readonly entry: (typeof sources)[number];
      constructor(url: string) {
        this.entry = { url, listeners: {}, closed: false };
        sources.push(this.entry);
      }
      addEventListener(name: string, listener: (event: { data: string }) => void) {
        this.entry.listeners[name] = listener;
      }
      close() {
        this.entry.closed = true;
      }
    },
    addEventListener() {},
  };
  runInNewContext(CONSOLE_SCRIPT, {
    window,
    EventSource: window.EventSource,
    HTMLFormElement: FakeForm,
    document: {
      // Every listener of a name runs, as in a browser (Approve / Reject and Cancel both listen to submit).
      addEventListener: (name: string, listener: (event: unknown) => void) => {
        const previous = listeners[name];
        listeners[name] = previous
          ? (event) => {
              previous(event);
              listener(event);
            }
          : listener;
      },
      querySelector: () => page,
      getElementById: (id: string) => elements[id] ?? null,
    },
    fetch: (url: string, init: (typeof fetches)[number]['init']) => {
      fetches.push({ url, init });
      return Promise.resolve({ ok: true, status: 202, json: () => Promise.resolve({}) });
    },
  });
  return { listeners, sources, fetches, elements };
}

describe('console page script', () => {
  it('posts Approve as JSON with the tenant to the approval route the server rendered', async () => {
    const { listeners, fetches } = load();
    const form = new FakeForm(
      { approvalUrl: '/sessions/s%2F1/approvals/call_3', tenant: 'acme' },
      ' looks fine ',
    );
    let prevented = false;
    listeners.submit!({
      target: form,
      submitter: { value: 'approve' },
      preventDefault: () => (prevented = true),
    });
    expect(prevented).toBe(true);
    expect(fetches).toEqual([
      {
        url: '/sessions/s%2F1/approvals/call_3',
        init: {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-baton-tenant': 'acme' },
          body: '{"approved":true,"reason":"looks fine"}',
        },
      },
    ]);
    await new Promise(setImmediate);
    expect(form.status.textContent).toBe('Approved: the run resumes.');
    expect(form.buttons.every((button) => button.disabled)).toBe(true);
  });

  it('posts Reject without a reason when none was typed', () => {
    const { listeners, fetches } = load();
    const form = new FakeForm({ approvalUrl: '/sessions/s/approvals/c', tenant: 'default' }, '');
    listeners.submit!({ target: form, submitter: { value: 'reject' }, preventDefault() {} });
    expect(fetches[0]?.init.body).toBe('{"approved":false}');
  });

  it('appends streamed entries once and replaces the summary and approvals panels', () => {
    const { sources, elements } = load({ streamUrl: '/console/sessions/s/stream?tenant=default&after=4' });
    expect(sources[0]?.url).toBe('/console/sessions/s/stream?tenant=default&after=4');
    const update = (seq: number) =>
      sources[0]!.listeners.update!({
        data: JSON.stringify({
          seq,
          timeline: `<li>${seq}</li>`,
          conversation: '',
          summary: '<s>',
          approvals: '<a>',
          announce: 'new',
        }),
      });
    update(5);
    update(5);
    expect(elements.timeline!.html).toBe('<li>5</li>');
    expect(elements.summary!.outerHTML).toBe('<s>');
    expect(elements.approvals!.outerHTML).toBe('<a>');
    expect(elements.live!.textContent).toBe('new');
    sources[0]!.listeners.gone!({ data: '{}' });
    expect(sources[0]!.closed).toBe(true);
  });
});
