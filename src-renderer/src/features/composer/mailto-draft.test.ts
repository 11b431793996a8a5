import { describe, expect, it } from 'vitest';
import { draftFromMailto, describeIgnored } from './mailto-draft.ts';

const ACCOUNT = { id: 'acc', email: 'me@example.test' };

describe('draftFromMailto', () => {
  it('fills the fields a person sees, and leaves attach= and from= out', () => {
    const made = draftFromMailto(
      'mailto:bob@example.test?cc=carol@example.test&subject=Hello%20there&body=Line%201%0D%0ALine%202&attach=/etc/passwd&from=boss@example.test',
      ACCOUNT,
    );
    expect(made?.draft).toMatchObject({
      accountId: 'acc',
      to: 'bob@example.test',
      cc: 'carol@example.test',
      bcc: '',
      subject: 'Hello there',
      body: 'Line 1\nLine 2',
      format: 'rich',
    });
    expect(JSON.stringify(made?.draft)).not.toContain('passwd');
    expect(JSON.stringify(made?.draft)).not.toContain('boss@');
    expect(made?.ignored.sort()).toEqual(['attach', 'from']);
    expect(describeIgnored(made?.ignored ?? [])).toMatch(/attach, from|from, attach/);
  });

  it('keeps an entry that is not an address in To, for the composer to mark', () => {
    expect(draftFromMailto('mailto:not-an-address', ACCOUNT)?.draft.to).toBe('not-an-address');
  });

  it('threads a reply asked for with in-reply-to', () => {
    const made = draftFromMailto('mailto:list@example.test?In-Reply-To=%3Cabc@x.test%3E', ACCOUNT);
    expect(made?.draft.inReplyTo).toBe('<abc@x.test>');
    expect(made?.draft.references).toEqual(['<abc@x.test>']);
  });

  it('refuses what is not a mailto: URL', () => {
    expect(draftFromMailto('https://example.test', ACCOUNT)).toBeUndefined();
    expect(describeIgnored([])).toBeUndefined();
  });
});
