import { describe, expect, it } from 'vitest';
import { identitiesOf, identityFor, senderOf, signatureHtml, signatureText } from './identities.ts';

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
      '<p>-- <br>Alice<br>&#60;Team&#62; &#38; &#34;co&#34;</p>',
    );
  });
});
