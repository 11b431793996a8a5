import { describe, expect, it } from 'vitest';
import { displayUrl, linkTarget, mismatchMessage, textDomainMismatch } from './links.ts';

describe('linkTarget', () => {
  it('accepts absolute http, https and mailto URLs, normalized', () => {
    expect(linkTarget(' https://Example.COM/a b?q=1#x ')).toEqual({
      url: 'https://example.com/a%20b?q=1#x',
      kind: 'web',
      domain: 'example.com',
    });
    expect(linkTarget('http://example.com')?.url).toBe('http://example.com/');
    expect(linkTarget('mailto:Someone@Example.com?subject=Hi')).toEqual({
      url: 'mailto:Someone@Example.com?subject=Hi',
      kind: 'mail',
      domain: 'example.com',
    });
  });

  it('gives IDN hosts in punycode', () => {
    expect(linkTarget('https://bücher.example/')?.domain).toBe('xn--bcher-kva.example');
    expect(linkTarget('mailto:info@bücher.example')?.domain).toBe('xn--bcher-kva.example');
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    'vbscript:msgbox',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'smb://host/share',
    'ftp://host/file',
    'ms-settings:',
    'cid:part@host',
    '/relative',
    '#anchor',
    'https://',
    '',
  ])('refuses %j', (href) => {
    expect(linkTarget(href)).toBeUndefined();
  });
});

describe('displayUrl', () => {
  const show = (href: string) => displayUrl(linkTarget(href)!);

  it('shows the host in punycode and keeps path, query and fragment', () => {
    expect(show('https://раураl.example/login?next=1#top')).toBe(
      'https://xn--l-7sba6dbr.example/login?next=1#top',
    );
  });

  it('leaves out user:password, which only serves to disguise the host', () => {
    expect(show('https://bank.example:secret@evil.test/x')).toBe('https://evil.test/x');
    expect(show('http://bank.example@evil.test:8080/')).toBe('http://evil.test:8080/');
  });

  it('shows mailto links as they are', () => {
    expect(show('mailto:a@b.example')).toBe('mailto:a@b.example');
  });
});

describe('textDomainMismatch', () => {
  it('flags a link whose text names another domain than its target', () => {
    const mismatch = textDomainMismatch('https://bank.example', 'http://evil.test/');
    expect(mismatch).toEqual({ shown: 'bank.example', actual: 'evil.test' });
    expect(mismatchMessage(mismatch!)).toBe(
      'Link text shows bank.example, but it goes to evil.test',
    );
  });

  it('finds the domain inside a sentence, and in bare www. names', () => {
    expect(
      textDomainMismatch('Sign in at www.paypal.com now', 'https://paypal.com.evil.test/'),
    ).toEqual({ shown: 'www.paypal.com', actual: 'paypal.com.evil.test' });
  });

  it('compares registrable domains, so subdomains of the same site pass', () => {
    expect(textDomainMismatch('www.bank.example', 'https://login.bank.example/')).toBeUndefined();
    expect(textDomainMismatch('https://BANK.example', 'https://bank.example/')).toBeUndefined();
    expect(textDomainMismatch('www.bbc.co.uk', 'https://news.bbc.co.uk/')).toBeUndefined();
    expect(textDomainMismatch('www.bbc.co.uk', 'https://evil.co.uk/')).toEqual({
      shown: 'www.bbc.co.uk',
      actual: 'evil.co.uk',
    });
  });

  it('is not fooled by user:password in the target', () => {
    expect(textDomainMismatch('https://bank.example', 'https://bank.example@evil.test/')).toEqual({
      shown: 'bank.example',
      actual: 'evil.test',
    });
  });

  it('sees a lookalike IDN as another domain', () => {
    expect(textDomainMismatch('https://paypal.com', 'https://раураl.com/')).toEqual({
      shown: 'paypal.com',
      actual: 'xn--l-7sba6dbr.com',
    });
    // The same IDN written in Unicode in the text and in punycode in the href is the same place.
    expect(
      textDomainMismatch('https://bücher.example', 'https://xn--bcher-kva.example/'),
    ).toBeUndefined();
  });

  it('compares mail addresses by their domain', () => {
    expect(textDomainMismatch('help@bank.com', 'mailto:help@evil.com')).toEqual({
      shown: 'bank.com',
      actual: 'evil.com',
    });
    expect(textDomainMismatch('help@bank.com', 'mailto:Help@Bank.com')).toBeUndefined();
    expect(textDomainMismatch('Write to help@bank.com', 'https://evil.com/form')).toEqual({
      shown: 'bank.com',
      actual: 'evil.com',
    });
  });

  it('says nothing when the text names no domain, or the link goes nowhere', () => {
    expect(textDomainMismatch('Click here', 'https://evil.test/')).toBeUndefined();
    expect(textDomainMismatch('Read the report.pdf', 'https://evil.test/')).toBeUndefined();
    expect(textDomainMismatch('https://bank.example', 'javascript:alert(1)')).toBeUndefined();
    expect(textDomainMismatch('', 'https://evil.test/')).toBeUndefined();
  });
});
