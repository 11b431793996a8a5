import { describe, expect, it } from 'vitest';
import type { SearchQuery } from '#shared/search/query';
import { highlightOf, highlightRanges } from './highlight.ts';

const marked = (text: string, ranges: [number, number][]) =>
  ranges.map(([a, b]) => text.slice(a, b));

describe('highlightRanges', () => {
  it('marks whole words, case and diacritics folded, in the original characters', () => {
    const text = 'Grüße aus KÖLN, köln and Kolner';
    const ranges = highlightRanges(text, [{ word: 'koln', prefix: false }]);
    expect(marked(text, ranges)).toEqual(['KÖLN', 'köln']);
  });

  it('maps a character that folds longer (ß → ss) back whole', () => {
    const text = 'Die Straße ist lang';
    expect(marked(text, highlightRanges(text, [{ word: 'strasse', prefix: false }]))).toEqual([
      'Straße',
    ]);
  });

  it('keeps decomposed accents inside the mark', () => {
    const text = 'cafe\u0301 noir';
    expect(marked(text, highlightRanges(text, [{ word: 'cafe', prefix: false }]))).toEqual([
      'cafe\u0301',
    ]);
  });

  it('matches a prefix only at a word start, and merges overlaps', () => {
    const text = 'harbour, the Harbourmaster; seaharbour';
    const ranges = highlightRanges(text, [
      { word: 'harb', prefix: true },
      { word: 'harbour', prefix: false },
    ]);
    expect(marked(text, ranges)).toEqual(['harbour', 'Harb']);
  });

  it('handles characters outside the BMP', () => {
    const text = '🎉 party time';
    expect(marked(text, highlightRanges(text, [{ word: 'party', prefix: false }]))).toEqual([
      'party',
    ]);
  });
});

describe('highlightOf', () => {
  it('puts free words everywhere, field words in their part, never negated ones', () => {
    const query: SearchQuery = {
      terms: [
        { kind: 'text', words: ['plan'], phrase: false, prefix: true, negated: false },
        {
          kind: 'text',
          words: ['alice'],
          field: 'from',
          phrase: false,
          prefix: false,
          negated: false,
        },
        { kind: 'text', words: ['spam'], phrase: false, prefix: false, negated: true },
        { kind: 'text', words: ['bob'], field: 'to', phrase: false, prefix: false, negated: false },
      ],
    };
    const h = highlightOf(query);
    expect(h.sender).toEqual([
      { word: 'plan', prefix: true },
      { word: 'alice', prefix: false },
    ]);
    expect(h.subject).toEqual([{ word: 'plan', prefix: true }]);
    expect(h.preview).toEqual([{ word: 'plan', prefix: true }]);
  });
});
