/** Text with the search's matches in <mark> (see `highlightRanges`). */
import { useMemo } from 'react';
import { highlightRanges, type Needle } from './highlight.ts';

export function Marked({ text, needles }: { text: string; needles: Needle[] | undefined }) {
  const ranges = useMemo(() => (needles ? highlightRanges(text, needles) : []), [text, needles]);
  if (ranges.length === 0) return <>{text}</>;
  const parts = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
