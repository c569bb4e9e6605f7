import { describe, expect, it } from 'vitest';
import { escapeHtml, html, prettyJson, SafeHtml } from './html.js';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('keeps nested html as markup and escapes arrays item by item', () => {
    const items = ['<a>', html`<b>${'<c>'}</b>`];
    expect(html`<ul>${items}</ul>`.value).toBe('<ul>&lt;a&gt;<b>&lt;c&gt;</b></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('treats only SafeHtml as markup, never a string that looks like it', () => {
    expect(html`${new SafeHtml('<i>')}${'<i>'}`.value).toBe('<i>&lt;i&gt;');
    expect(escapeHtml('a & b')).toBe('a &amp; b');
  });
});

describe('prettyJson', () => {
  it('pretty-prints JSON text and returns text that is not JSON unchanged', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{not json')).toBe('{not json');
    expect(prettyJson({ b: [1] })).toBe('{\n  "b": [\n    1\n  ]\n}');
  });
});
