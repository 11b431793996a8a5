import { describe, expect, it } from 'vitest';
import { copyUidOf } from './uid-commands.ts';

/** A tagged or untagged OK as imapflow's parser hands it over. */
const ok = (...code: string[]) => ({
  attributes: [{ type: 'SECTION', section: code.map((value) => ({ type: 'ATOM', value })) }],
});

describe('copyUidOf', () => {
  it('pairs source and target UIDs in the order the server gave them', () => {
    expect(copyUidOf(ok('COPYUID', '38505', '304,319:320', '3956:3958'))).toEqual({
      uidValidity: 38505,
      pairs: [
        [304, 3956],
        [319, 3957],
        [320, 3958],
      ],
    });
    expect(copyUidOf(ok('COPYUID', '1', '5:3', '10:12'))?.pairs).toEqual([
      [5, 10],
      [4, 11],
      [3, 12],
    ]);
  });

  it('ignores other response codes and malformed or mismatched sets', () => {
    expect(copyUidOf(ok('APPENDUID', '1', '5'))).toBeUndefined();
    expect(copyUidOf({ attributes: [] })).toBeUndefined();
    expect(copyUidOf(ok('COPYUID', '1', '1:2', '5'))).toBeUndefined();
    expect(copyUidOf(ok('COPYUID', '1', '1,x', '5,6'))).toBeUndefined();
    expect(copyUidOf(ok('COPYUID', 'abc', '1', '5'))).toBeUndefined();
    expect(copyUidOf(ok('COPYUID', '1', '1:4000000000', '1:4000000000'))).toBeUndefined();
  });
});
