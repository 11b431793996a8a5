/**
 * Where a query's words occur in a line of the list, as ranges of the original text. Matching
 * runs on folded text (case and diacritics, `foldText`), and folding changes lengths ("ß" → "ss",
 * "é" → "e" + nothing): each original character is folded on its own, so every folded position
 * maps back to the character it came from, and a <mark> never cuts a character in two.
 */
import type { SearchQuery } from '#shared/search/query';
import { foldText } from '#shared/search/fold';

export interface Needle {
  /** Folded, as the query holds it. */
  word: string;
  /** May be the start of a longer word (the last word as typed). */
  prefix: boolean;
}

/** The words to mark in each part of a list row. */
export interface Highlight {
  sender: Needle[];
  subject: Needle[];
  preview: Needle[];
}

/** The query's positive text terms, by the part of a row they can show in. */
export function highlightOf(query: SearchQuery): Highlight {
  const out: Highlight = { sender: [], subject: [], preview: [] };
  for (const term of query.terms) {
    if (term.kind !== 'text' || term.negated) continue;
    const needles = term.words.map((word, i) => ({
      word,
      prefix: term.prefix && i === term.words.length - 1,
    }));
    const parts: (keyof Highlight)[] =
      term.field === undefined
        ? ['sender', 'subject', 'preview']
        : term.field === 'from'
          ? ['sender']
          : term.field === 'subject'
            ? ['subject']
            : term.field === 'body'
              ? ['preview']
              : [];
    for (const part of parts) out[part].push(...needles);
  }
  return out;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const MARK = /^\p{M}$/u;

/** [start, end) ranges of `text` where a needle matches at a word start; sorted, merged. */
export function highlightRanges(text: string, needles: Needle[]): [number, number][] {
  if (needles.length === 0 || text === '') return [];
  let folded = '';
  /** origin[i]: index in `text` of the character folded position i came from. */
  const origin: number[] = [];
  for (let i = 0; i < text.length;) {
    const char = String.fromCodePoint(text.codePointAt(i) as number);
    const piece = foldText(char);
    // A combining mark folds into the letter before it; anything else that folds to nothing
    // (or to space) still separates words.
    const kept = piece.trim() !== '' ? piece : MARK.test(char) ? '' : ' ';
    folded += kept;
    for (let k = 0; k < kept.length; k++) origin.push(i);
    i += char.length;
  }
  const ranges: [number, number][] = [];
  for (const { word, prefix } of needles) {
    if (word === '') continue;
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + 1)) {
      const end = at + word.length;
      if (at > 0 && WORD_CHAR.test(folded[at - 1] as string)) continue;
      if (!prefix && end < folded.length && WORD_CHAR.test(folded[end] as string)) continue;
      const last = origin[end - 1] as number;
      let stop = last + String.fromCodePoint(text.codePointAt(last) as number).length;
      // The accents of the last letter belong to it.
      while (stop < text.length && MARK.test(text[stop] as string)) stop++;
      ranges.push([origin[at] as number, stop]);
    }
  }
  return merge(ranges);
}

function merge(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push([...range]);
  }
  return out;
}
