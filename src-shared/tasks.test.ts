import { describe, expect, it } from 'vitest';
import { changeFlags, hasFlag, type SetFlagsTask } from './tasks.ts';
import { apiArgs } from './validation.ts';

describe('changeFlags', () => {
  it('removes, then adds, keeping the spelling already there and adding no duplicates', () => {
    expect(changeFlags(['\\seen', '$Label1'], { add: ['\\Seen', '\\Flagged'] })).toEqual([
      '\\seen',
      '$Label1',
      '\\Flagged',
    ]);
    expect(changeFlags(['\\Seen', '\\Flagged'], { remove: ['\\SEEN'] })).toEqual(['\\Flagged']);
    expect(changeFlags([], {})).toEqual([]);
  });

  it('does not change the array it is given', () => {
    const flags = ['\\Seen'];
    changeFlags(flags, { add: ['\\Flagged'], remove: ['\\Seen'] });
    expect(flags).toEqual(['\\Seen']);
  });

  it('knows flags regardless of case', () => {
    expect(hasFlag(['\\SEEN'], '\\Seen')).toBe(true);
    expect(hasFlag(['\\Seen'], '\\Flagged')).toBe(false);
  });
});

describe('performTask arguments', () => {
  const task: SetFlagsTask = {
    type: 'setFlags',
    accountId: 'acc1',
    folderId: 'acc1:INBOX',
    uidValidity: 1234,
    uids: [1, 2, 3],
    add: ['\\Seen'],
  };
  const parse = (value: unknown) => apiArgs.performTask.safeParse([value]);

  it('accepts a well-formed setFlags task', () => {
    expect(parse(task).success).toBe(true);
    expect(parse({ ...task, add: undefined, remove: ['\\Flagged', '$Junk'] }).success).toBe(true);
  });

  it.each([
    ['an unknown type', { ...task, type: 'shredAll' }],
    ['a folder of another account', { ...task, folderId: 'acc2:INBOX' }],
    ['no UIDs', { ...task, uids: [] }],
    ['UID 0', { ...task, uids: [0] }],
    ['a UID past 32 bits', { ...task, uids: [2 ** 32] }],
    ['nothing to change', { ...task, add: [] }],
    ['a flag both added and removed', { ...task, remove: ['\\seen'] }],
    ['\\Recent', { ...task, add: ['\\Recent'] }],
    ['a flag with a space', { ...task, add: ['\\Seen \\Deleted'] }],
    ['a flag with a parenthesis', { ...task, add: ['a)'] }],
    ['a non-ASCII keyword', { ...task, add: ['Wichtig✓'] }],
    ['no UIDVALIDITY', { ...task, uidValidity: undefined }],
  ])('refuses %s', (_what, value) => {
    expect(parse(value).success).toBe(false);
  });
});
