import { describe, expect, it } from 'vitest';
import type { MimePart } from '#shared/mail';
import { bareContentId, readerParts } from './reader-parts.ts';

const plain: MimePart = { part: '1.1', type: 'text/plain' };
const html: MimePart = { part: '1.2', type: 'text/html' };
const logo: MimePart = { part: '2', type: 'image/png', contentId: '<logo@x>' };
const pdf: MimePart = {
  part: '3',
  type: 'application/pdf',
  disposition: 'attachment',
  filename: 'a.pdf',
};

describe('readerParts', () => {
  it('shows HTML over plain text, fetches cid images with it, lists real attachments', () => {
    const root: MimePart = {
      part: '',
      type: 'multipart/mixed',
      children: [{ part: '1', type: 'multipart/alternative', children: [plain, html] }, logo, pdf],
    };
    expect(readerParts(root)).toEqual({ body: html, inline: [logo], attachments: [pdf] });
  });

  it('shows plain text when there is no HTML, and then lists images as attachments', () => {
    const root: MimePart = { part: '', type: 'multipart/mixed', children: [plain, logo] };
    expect(readerParts(root)).toEqual({ body: plain, inline: [], attachments: [logo] });
  });

  it('does not take a text file attachment for the body', () => {
    const notes: MimePart = { part: '2', type: 'text/plain', filename: 'notes.txt' };
    const root: MimePart = { part: '', type: 'multipart/mixed', children: [plain, notes] };
    expect(readerParts(root)).toEqual({ body: plain, inline: [], attachments: [notes] });
  });

  it('falls back to section 1 without a structure', () => {
    expect(readerParts(undefined).body).toEqual({ part: '1', type: 'text/plain' });
  });

  it('strips angle brackets from content ids', () => {
    expect(bareContentId(' <logo@x> ')).toBe('logo@x');
  });
});
