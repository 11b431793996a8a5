/**
 * The pure half of PlainTextBody: which parts of a text/plain body are links Petrel will open, and
 * which lines are quoted replies.
 */
import { tokenize } from 'linkifyjs';
import { displayUrl, linkTarget } from './links.ts';

export interface LinkPart {
  text: string;
  url: string;
  title: string;
}

/** Text and links, in order; linkify's finds that Petrel would not open stay text. */
export function linkParts(text: string): (string | LinkPart)[] {
  const parts: (string | LinkPart)[] = [];
  for (const token of tokenize(text)) {
    const target = token.isLink ? linkTarget(token.toHref('https')) : undefined;
    const value = token.toString();
    if (target) parts.push({ text: value, url: target.url, title: displayUrl(target) });
    else if (typeof parts.at(-1) === 'string') parts[parts.length - 1] += value;
    else parts.push(value);
  }
  return parts;
}

export interface TextBlock {
  text: string;
  quoted: boolean;
}

const QUOTED = /^[ \t]*>/;

/**
 * Splits a body into runs of quoted (`>`) and unquoted lines. Blank lines between two quoted lines
 * belong to the quote, so one reply's quote folds as one block.
 */
export function splitQuotes(text: string): TextBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const quoted = lines.map((line) => QUOTED.test(line));
  for (let i = 0; i < lines.length; i++) {
    if (quoted[i] || (lines[i] ?? '').trim() !== '') continue;
    let next = i;
    while (next < lines.length && !quoted[next] && (lines[next] ?? '').trim() === '') next++;
    if (i > 0 && quoted[i - 1] && quoted[next]) quoted.fill(true, i, next);
    i = next - 1;
  }
  const blocks: TextBlock[] = [];
  lines.forEach((line, index) => {
    const isQuoted = quoted[index] ?? false;
    const last = blocks.at(-1);
    if (last && last.quoted === isQuoted) last.text += `\n${line}`;
    else blocks.push({ text: line, quoted: isQuoted });
  });
  return blocks;
}
