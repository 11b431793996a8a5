import { describe, expect, it } from 'vitest';
import { cleanAttachmentName } from './attachment-name.ts';

describe('cleanAttachmentName', () => {
  it('leaves an ordinary name alone', () => {
    expect(cleanAttachmentName('Invoice 2024-03.pdf')).toBe('Invoice 2024-03.pdf');
    expect(cleanAttachmentName('Тест файл.docx')).toBe('Тест файл.docx');
    expect(cleanAttachmentName('👩‍👩‍👧 photo.jpg')).toBe('👩‍👩‍👧 photo.jpg');
  });

  it('keeps only the last path part, for / and \\', () => {
    expect(cleanAttachmentName('../../.bashrc')).toBe('bashrc');
    expect(cleanAttachmentName('/etc/passwd')).toBe('passwd');
    expect(cleanAttachmentName('..\\..\\Windows\\System32\\evil.dll')).toBe('evil.dll');
    expect(cleanAttachmentName('C:\\Users\\x\\report.pdf')).toBe('report.pdf');
  });

  it('removes bidi controls, so the real extension shows', () => {
    expect(cleanAttachmentName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    const bidi = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    expect(cleanAttachmentName(`a${bidi}b.txt`)).toBe('ab.txt');
  });

  it('removes C0, DEL and C1 controls and line separators', () => {
    expect(cleanAttachmentName('a\u0000b\tc\r\nd\u001B\u007F\u0085\u009Fe\u2028\uFEFF.txt')).toBe(
      'abcde.txt',
    );
  });

  it('does not let a control character hide a path separator', () => {
    expect(cleanAttachmentName('..\u0000/..\u202E/secret.txt')).toBe('secret.txt');
  });

  it('trims dots and spaces at both ends (hidden files, Windows trailing dots)', () => {
    expect(cleanAttachmentName('  .hidden.txt. . ')).toBe('hidden.txt');
    expect(cleanAttachmentName('...')).toBe('attachment');
  });

  it('replaces characters Windows refuses', () => {
    expect(cleanAttachmentName('a<b>c:d"e|f?g*.txt')).toBe('a_b_c_d_e_f_g_.txt');
  });

  it('falls back to "attachment" when nothing is left', () => {
    expect(cleanAttachmentName('')).toBe('attachment');
    expect(cleanAttachmentName('   ')).toBe('attachment');
    expect(cleanAttachmentName('dir/')).toBe('attachment');
    expect(cleanAttachmentName('\u202E\u0000')).toBe('attachment');
  });

  it('caps the length, keeping the extension and whole characters', () => {
    const long = cleanAttachmentName(`${'a'.repeat(300)}.pdf`);
    expect(long).toHaveLength(180);
    expect(long.endsWith('a.pdf')).toBe(true);

    const emoji = cleanAttachmentName(`${'😀'.repeat(300)}.png`);
    expect(Array.from(emoji)).toHaveLength(180);
    expect(emoji.endsWith('😀.png')).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);

    const noExtension = cleanAttachmentName(`${'b'.repeat(300)}.${'x'.repeat(40)}`);
    expect(noExtension).toBe('b'.repeat(180));
  });
});
