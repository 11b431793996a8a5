// @vitest-environment jsdom
/**
 * Quoting hostile mail HTML: what reaches the editor is only what the editor could have made.
 */
import { describe, expect, it } from 'vitest';
import { quoteOfMailHtml } from './quote.ts';

const HOSTILE = `
<html><head><style>body { background: url(https://tracker.example/bg.png) }</style>
<link rel="stylesheet" href="https://tracker.example/s.css"></head>
<body onload="alert(1)">
<p>Hello <b>Bob</b>, see the <a href="https://example.org/plan" onclick="steal()">plan</a>.</p>
<script>alert('x')</script>
<img src="https://tracker.example/pixel.gif" onerror="alert(2)">
<img src="x" onerror="alert(3)">
<ul><li>one</li><li><i>two</i></li></ul>
<a href="javascript:alert(4)">click</a>
<form action="https://evil.example/"><input name="password"></form>
<svg><script>alert(5)</script></svg>
<div style="background-image:url(https://tracker.example/div.png)">styled</div>
<table><tr><td>cell</td></tr></table>
</body></html>`;

describe('quoteOfMailHtml', () => {
  const quote = quoteOfMailHtml(HOSTILE);

  it('drops scripts, handlers, styles, forms and every image', () => {
    expect(quote).not.toMatch(/<script|onerror|onload|onclick|alert|<img|<style|<link|style=/i);
    expect(quote).not.toMatch(/<form|<input|<svg|javascript:/i);
  });

  it('keeps no remote resource URL: only links may name a server', () => {
    expect(quote).not.toContain('tracker.example');
    const urls = [...quote.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['https://example.org/plan']);
  });

  it('keeps the text, emphasis, lists and http(s) links', () => {
    expect(quote).toContain('<strong>Bob</strong>');
    expect(quote).toContain('<a href="https://example.org/plan">plan</a>');
    expect(quote).toMatch(/<ul><li><p>one<\/p><\/li><li><p><em>two<\/em><\/p><\/li><\/ul>/);
    expect(quote).toContain('styled');
    expect(quote).toContain('cell');
    // The javascript: link loses its target but not its text.
    expect(quote).toContain('click');
  });

  it('escapes text that looks like markup', () => {
    const q = quoteOfMailHtml('<p>&lt;img src=x onerror=alert(1)&gt; &amp; more</p>');
    expect(q).toBe('<p>&lt;img src=x onerror=alert(1)&gt; &amp; more</p>');
  });
});
