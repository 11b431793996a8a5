import { describe, expect, it } from 'vitest';
import { linkParts, splitQuotes } from './plain-text.ts';

describe('linkParts', () => {
  it('turns web and mail addresses into links, with the URL that will be opened', () => {
    expect(linkParts('See https://a.example/x?y=1, www.b.com and joe@c.com.')).toEqual([
      'See ',
      {
        text: 'https://a.example/x?y=1',
        url: 'https://a.example/x?y=1',
        title: 'https://a.example/x?y=1',
      },
      ', ',
      { text: 'www.b.com', url: 'https://www.b.com/', title: 'https://www.b.com/' },
      ' and ',
      { text: 'joe@c.com', url: 'mailto:joe@c.com', title: 'mailto:joe@c.com' },
      '.',
    ]);
  });

  it('shows IDN hosts in punycode in the link title', () => {
    const [link] = linkParts('https://bücher.de/');
    expect(link).toMatchObject({ text: 'https://bücher.de/', title: 'https://xn--bcher-kva.de/' });
  });

  it('leaves schemes Petrel does not open as text', () => {
    expect(linkParts('file:///etc/passwd ftp://x.org javascript:alert(1)')).toEqual([
      'file:///etc/passwd ftp://x.org javascript:alert(1)',
    ]);
  });

  it('leaves markup as text (React escapes it)', () => {
    expect(linkParts('<img src=x onerror=alert(1)>')).toEqual(['<img src=x onerror=alert(1)>']);
  });
});

describe('splitQuotes', () => {
  it('separates quoted runs from the rest', () => {
    expect(splitQuotes('Hi\n\nOn Monday, Ann wrote:\n> one\n>> two\n  > three\nThanks')).toEqual([
      { text: 'Hi\n\nOn Monday, Ann wrote:', quoted: false },
      { text: '> one\n>> two\n  > three', quoted: true },
      { text: 'Thanks', quoted: false },
    ]);
  });

  it('keeps blank lines inside a quote in the quote, and not those after it', () => {
    expect(splitQuotes('> a\n\n\n> b\n\nreply\r\n')).toEqual([
      { text: '> a\n\n\n> b', quoted: true },
      { text: '\nreply\n', quoted: false },
    ]);
  });

  it('has no quote in a text without ">" lines', () => {
    expect(splitQuotes('a > b\n')).toEqual([{ text: 'a > b\n', quoted: false }]);
    expect(splitQuotes('')).toEqual([{ text: '', quoted: false }]);
  });
});
