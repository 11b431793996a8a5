import { describe, expect, it } from 'vitest';
import { hasFormatting, htmlToPlainText, plainTextToHtml } from './html-text.ts';

describe('htmlToPlainText', () => {
  it('keeps bullets, numbers, link URLs, quotes and the signature delimiter', () => {
    const html =
      '<p>Hello <strong>bold</strong> and <em>it</em></p>' +
      '<ul><li><p>one</p></li><li><p>two</p></li></ul>' +
      '<ol><li><p>first</p></li><li><p>second</p></li></ol>' +
      '<p>See <a href="https://example.org/x">the site</a> or https://example.org/y</p>' +
      '<p>On Monday, Bob wrote:</p><blockquote><p>quoted</p></blockquote>' +
      '<p>-- <br>Alice</p>';
    expect(htmlToPlainText(html)).toBe(
      [
        'Hello bold and it',
        '',
        '- one',
        '- two',
        '',
        ' 1. first',
        ' 2. second',
        '',
        'See the site <https://example.org/x> or https://example.org/y',
        '',
        'On Monday, Bob wrote:',
        '',
        '> quoted',
        '',
        '-- ',
        'Alice',
      ].join('\n'),
    );
  });

  it('shows a link whose text is its URL once, and drops images', () => {
    const html =
      '<p><a href="https://example.org/">https://example.org/</a><img src="https://t.example/p.gif" alt="x"></p>';
    expect(htmlToPlainText(html)).toBe('https://example.org/');
  });
});

describe('plainTextToHtml', () => {
  it('makes paragraphs and line breaks, and escapes everything', () => {
    expect(plainTextToHtml('a <b onclick="x">\nb\n\nc & d')).toBe(
      '<p>a &#60;b onclick=&#34;x&#34;&#62;<br>b</p><p>c &#38; d</p>',
    );
  });

  it('round-trips plain paragraphs through the converter', () => {
    expect(htmlToPlainText(plainTextToHtml('one\ntwo\n\nthree'))).toBe('one\ntwo\n\nthree');
  });
});

describe('hasFormatting', () => {
  it('is false for paragraphs and breaks only', () => {
    expect(hasFormatting('<p>a<br>b</p><p></p>')).toBe(false);
    expect(hasFormatting('<p>a <strong>b</strong></p>')).toBe(true);
    expect(hasFormatting('<ul><li><p>a</p></li></ul>')).toBe(true);
  });
});
