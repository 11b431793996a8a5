/**
 * IMAP sequence sets of UIDs ("1:5,7,9:12"): compact on the wire even for 100k UIDs.
 */

/** Compresses UIDs (any order, duplicates allowed) into a sequence set; "" for none. */
export function toUidSet(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let end = start;
  for (const uid of sorted.slice(1)) {
    if (end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    ranges.push(formatRange(start as number, end as number));
    start = end = uid;
  }
  if (start !== undefined) ranges.push(formatRange(start, end as number));
  return ranges.join(',');
}

function formatRange(start: number, end: number): string {
  return start === end ? String(start) : `${start}:${end}`;
}

/** Ranges of a sequence set, as [low, high] pairs (no `*`: UIDs only). */
export function parseUidSet(set: string): [number, number][] {
  if (!set) return [];
  return set.split(',').map((item): [number, number] => {
    const [a, b] = item.split(':').map(Number);
    const low = a ?? NaN;
    const high = b ?? low;
    if (!Number.isInteger(low) || !Number.isInteger(high))
      throw new Error(`Bad UID set item: ${item}`);
    return low <= high ? [low, high] : [high, low];
  });
}

/** A membership test over a sequence set, O(log n) per lookup. */
export function uidSetMatcher(set: string): (uid: number) => boolean {
  const ranges = parseUidSet(set).sort((x, y) => x[0] - y[0]);
  return (uid) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [low, high] = ranges[mid] as [number, number];
      if (uid < low) hi = mid - 1;
      else if (uid > high) lo = mid + 1;
      else return true;
    }
    return false;
  };
}
