/**
 * Folding and word splitting for search: the one definition of "the same word" that the local
 * index, the query parser and the matcher all share, so a word indexed is a word found.
 *
 * Folding: Unicode NFKD (compatibility forms: "ﬁ" → "fi", "²" → "2", full-width → ASCII), combining
 * marks removed ("é" → "e", "ö" → "o"), lower-cased, then `LETTER_FOLDS` for letters that NFKD
 * does not decompose ("ß" → "ss", "ø" → "o"). This over-matches on purpose where marks carry meaning
 * (Japanese "が" folds to "か"): a search that finds a little more beats one that misses.
 *
 * Words: runs of letters and digits (`\p{L}\p{N}`) of the folded text; everything else separates
 * words. So "alice@example.test" gives "alice", "example", "test"; "3.14" gives "3", "14"; emoji
 * and punctuation give nothing. Scripts written without spaces (Chinese, Japanese) give one word
 * per run: "東京タワー" is one word, found by "東京タワー" or, as a prefix, by "東京".
 */

/** Letters that NFKD leaves whole, after lower-casing; a small table, not a transliterator. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ħ: 'h',
  ŧ: 't',
  ı: 'i',
  ĸ: 'k',
  ŋ: 'n',
  ς: 'σ',
};
const LETTER_FOLD_PATTERN = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'gu');

// eslint-disable-next-line no-control-regex -- every ASCII character, controls included
const ASCII = /^[\x00-\x7f]*$/;
const COMBINING_MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** Longer words are cut here: nobody types them, and they would bloat the index. */
export const MAX_WORD_LENGTH = 64;

/** The text as search compares it: no diacritics, no case, compatibility forms unified. */
export function foldText(text: string): string {
  // ASCII is its own NFKD and has no marks or table letters: skip the costly part.
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(LETTER_FOLD_PATTERN, (letter) => LETTER_FOLDS[letter] ?? letter);
}

/** Every folded word of a text, in order, repeats kept (what phrase matching walks). */
export function textWords(text: string): string[] {
  return foldedWords(foldText(text));
}

/** `textWords` of a text already folded by `foldText`. */
export function foldedWords(folded: string): string[] {
  const words: string[] = [];
  for (const match of folded.matchAll(WORD)) {
    words.push(cutWord(match[0]));
  }
  return words;
}

/** The unique folded words of a text, in first-seen order: what the index stores for it. */
export function indexWords(text: string): string[] {
  return [...new Set(textWords(text))];
}

/** Cut to `MAX_WORD_LENGTH` code points, never inside a surrogate pair. */
function cutWord(word: string): string {
  if (word.length <= MAX_WORD_LENGTH) return word;
  return Array.from(word).slice(0, MAX_WORD_LENGTH).join('');
}
