import { describe, expect, it } from 'vitest';
import {
  identitiesOf,
  identityFor,
  senderOf,
  signatureHtml,
  signatureText,
  swapSignature,
  swapSignatureHtml,
} from './identities.ts';

const account = { email: 'alice@example.test' };

describe('identities', () => {
  it('gives settings without identities their main identity', () => {
    expect(identitiesOf(account)).toEqual([
      { address: 'alice@example.test', name: '', signature: '' },
    ]);
  });

  it('keeps the main identity first, whatever the stored order, and aliases after it', () => {
    const alias = { address: 'info@example.test', name: 'Info', signature: 'Team' };
    const main = { address: 'Alice@Example.test', name: 'Alice', signature: 'A.' };
    expect(identitiesOf({ ...account, identities: [alias, main] })).toEqual([main, alias]);
  });

  it('finds the identity of a From address, case-insensitively, else the main one', () => {
    const alias = { address: 'info@example.test', name: 'Info', signature: '' };
    const withAlias = { ...account, identities: [alias] };
    expect(identityFor(withAlias, { address: 'INFO@example.test' })).toBe(alias);
    expect(identityFor(withAlias, { address: 'someone@else.test' }).address).toBe(
      'alice@example.test',
    );
    expect(identityFor(withAlias, undefined).address).toBe('alice@example.test');
  });

  it('leaves an empty name out of the sender', () => {
    expect(senderOf({ address: 'a@b.test', name: ' ', signature: '' })).toEqual({
      address: 'a@b.test',
    });
    expect(senderOf({ address: 'a@b.test', name: 'A', signature: '' })).toEqual({
      name: 'A',
      address: 'a@b.test',
    });
  });

  it('writes signatures under the RFC 3676 delimiter, as text and as escaped HTML', () => {
    expect(signatureText('')).toBe('');
    expect(signatureText('  \n')).toBe('');
    expect(signatureText('Alice\r\n<Team>\n')).toBe('-- \nAlice\n<Team>');
    expect(signatureHtml('Alice\n<Team> & "co"')).toBe(
      '<p>-- <br>Alice<br>&lt;Team&gt; &amp; "co"</p>',
    );
  });
});

describe('swapping the signature when the identity changes', () => {
  const quote = 'On 14 Nov 2023, Bob wrote:\n> See you\n';

  it('replaces the old signature, on lines of its own, with the new one', () => {
    const body = `Hello\n\n${signatureText('Alice\nWork')}\n`;
    expect(swapSignature(body, 'Alice\nWork', 'Ali (home)')).toBe('Hello\n\n-- \nAli (home)\n');
    // Above a quote: the quote is untouched.
    const reply = `Yes\n\n${signatureText('Alice')}\n\n${quote}`;
    expect(swapSignature(reply, 'Alice', 'Bob')).toBe(`Yes\n\n-- \nBob\n\n${quote}`);
  });

  it('removes it when the new identity has none', () => {
    expect(swapSignature(`Hi\n\n-- \nAlice`, 'Alice', '')).toBe('Hi\n\n');
  });

  it('leaves a signature the user edited alone, and adds no second one', () => {
    const edited = `Hi\n\n-- \nAlice Liddell`;
    expect(swapSignature(edited, 'Alice', 'Bob')).toBe(edited);
    const gone = 'Hi, no signature here';
    expect(swapSignature(gone, 'Alice', 'Bob')).toBe(gone);
    // A quoted copy of the old signature is not the user's.
    const quoted = `Hi\n\n${quote}> -- \n> Alice\n`;
    expect(swapSignature(quoted, 'Alice', 'Bob')).toBe(quoted);
  });

  it('puts the new signature under the text, above a quote, when there was none', () => {
    expect(swapSignature('Hello', '', 'Bob')).toBe('Hello\n\n-- \nBob\n');
    expect(swapSignature(`\n\n${quote}`, '', 'Bob')).toBe(`\n\n-- \nBob\n\n${quote}`);
    expect(swapSignature('Hello', '', '')).toBe('Hello');
  });

  it('does the same in HTML, with the markup signatureHtml writes', () => {
    const html = `<p>Hello</p>${signatureHtml('Alice & co')}<blockquote><p>Old</p></blockquote>`;
    expect(swapSignatureHtml(html, 'Alice & co', 'Bob <b>')).toBe(
      `<p>Hello</p>${signatureHtml('Bob <b>')}<blockquote><p>Old</p></blockquote>`,
    );
    expect(swapSignatureHtml(html, 'Alice & co', '')).toBe(
      '<p>Hello</p><blockquote><p>Old</p></blockquote>',
    );
    expect(swapSignatureHtml('<p>Hi</p><p>-- <br>Alice!</p>', 'Alice', 'Bob')).toBe(
      '<p>Hi</p><p>-- <br>Alice!</p>',
    );
    expect(swapSignatureHtml('<p>Hi</p><blockquote>x</blockquote>', '', 'Bob')).toBe(
      `<p>Hi</p>${signatureHtml('Bob')}\n<blockquote>x</blockquote>`,
    );
  });
});
