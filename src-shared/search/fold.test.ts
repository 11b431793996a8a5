import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH, foldText, indexWords, textWords } from './fold.ts';

describe('foldText', () => {
  it('removes diacritics and case', () => {
    expect(foldText('Crème Brûlée à Øster')).toBe('creme brulee a oster');
    expect(foldText('ÖSTERREICH Ärger Überall')).toBe('osterreich arger uberall');
    expect(foldText('Łódź Ñandú Çava')).toBe('lodz nandu cava');
  });

  it('folds letters NFKD leaves whole, from the table', () => {
    expect(foldText('Straße STRASSE')).toBe('strasse strasse');
    expect(foldText('ẞ')).toBe('ss');
    expect(foldText('Æther Œuvre Þing Đorđe Ðað')).toBe('aether oeuvre thing dorde dad');
    expect(foldText('ΟΔΟΣ οδος')).toBe('οδοσ οδοσ');
  });

  it('unifies compatibility forms: ligatures, full-width, superscripts', () => {
    expect(foldText('ﬁle')).toBe('file');
    expect(foldText('ＡＢＣ１２３')).toBe('abc123');
    expect(foldText('m²')).toBe('m2');
  });

  it('leaves text without marks alone, apart from case', () => {
    expect(foldText('Hello, World! 42')).toBe('hello, world! 42');
    expect(foldText('Projects/2026')).toBe('projects/2026');
  });
});

describe('textWords and indexWords', () => {
  it('splits on anything but letters and digits', () => {
    expect(textWords('Re: the Q3-report (final), v2.1!')).toEqual([
      're',
      'the',
      'q3',
      'report',
      'final',
      'v2',
      '1',
    ]);
  });

  it('gives the parts of an email address', () => {
    expect(indexWords('Alice <alice@example.test>')).toEqual(['alice', 'example', 'test']);
  });

  it('keeps first-seen order and drops repeats in indexWords, not in textWords', () => {
    expect(textWords('to be or not to be')).toEqual(['to', 'be', 'or', 'not', 'to', 'be']);
    expect(indexWords('to be or not to be')).toEqual(['to', 'be', 'or', 'not']);
    expect(indexWords('Café CAFE cafe')).toEqual(['cafe']);
  });

  it('keeps numbers as words', () => {
    expect(indexWords('Invoice 2026-0042 of €1,250.00')).toEqual([
      'invoice',
      '2026',
      '0042',
      'of',
      '1',
      '250',
      '00',
    ]);
  });

  it('makes each run of CJK characters one word', () => {
    expect(indexWords('東京タワー 見学 2026年')).toEqual(['東京タワー', '見学', '2026年']);
  });

  it('ignores emoji and punctuation', () => {
    expect(indexWords('🎉 party 🎉 — time… 👍🏽')).toEqual(['party', 'time']);
    expect(indexWords('🎉 — !!')).toEqual([]);
  });

  it('cuts long words to 64 characters, whole code points', () => {
    const long = 'a'.repeat(100);
    expect(indexWords(`${long} b`)).toEqual(['a'.repeat(MAX_WORD_LENGTH), 'b']);
    const wide = '𠀀'.repeat(70); // outside the BMP: two UTF-16 units each
    const [word] = indexWords(wide);
    expect(Array.from(word ?? '')).toHaveLength(MAX_WORD_LENGTH);
    expect(word).toBe('𠀀'.repeat(MAX_WORD_LENGTH));
  });

  it('gives nothing for empty text', () => {
    expect(indexWords('')).toEqual([]);
  });
});
