import { describe, expect, it } from 'vitest';
import { parseUidSet, toUidSet, uidSetMatcher } from './uid-set.ts';

describe('UID sets', () => {
  it('compresses runs, in order, without duplicates', () => {
    expect(toUidSet([9, 1, 2, 3, 5, 10, 11, 3])).toBe('1:3,5,9:11');
    expect(toUidSet([])).toBe('');
    expect(toUidSet([42])).toBe('42');
  });

  it('round-trips through the matcher', () => {
    const uids = [1, 2, 3, 7, 100, 101, 5000];
    const has = uidSetMatcher(toUidSet(uids));
    for (let uid = 0; uid <= 5001; uid++) expect(has(uid)).toBe(uids.includes(uid));
  });

  it('parses reversed ranges and rejects garbage', () => {
    expect(parseUidSet('5:3,8')).toEqual([
      [3, 5],
      [8, 8],
    ]);
    expect(() => parseUidSet('1:*')).toThrow(/Bad UID set/);
  });

  it('keeps 100k contiguous UIDs tiny', () => {
    const uids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    expect(toUidSet(uids)).toBe('1:100000');
  });
});
