/**
 * Folder rows from LIST (+ STATUS) results. Pure.
 */
import type { ListResponse, NamespacesObject } from 'imapflow';
import { folderIdOf, type FolderRole, type FolderRow, type Namespace } from '#shared/mail';

const ROLE_BY_SPECIAL_USE: Record<string, FolderRole> = {
  '\\inbox': 'inbox',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\trash': 'trash',
  '\\junk': 'junk',
  '\\archive': 'archive',
  '\\all': 'all',
  '\\flagged': 'flagged',
};

export function toFolderRow(
  entry: ListResponse,
  accountId: string,
  namespaces: NamespacesObject | undefined,
): FolderRow {
  const row: FolderRow = {
    id: folderIdOf(accountId, entry.path),
    accountId,
    path: entry.path,
    name: entry.name,
    delimiter: entry.delimiter,
    namespace: namespaceOf(entry.path, namespaces),
    subscribed: entry.subscribed,
    selectable: !hasFlag(entry.flags, '\\noselect') && !hasFlag(entry.flags, '\\nonexistent'),
    messages: entry.status?.messages ?? 0,
    unseen: entry.status?.unseen ?? 0,
  };
  const role = entry.specialUse ? ROLE_BY_SPECIAL_USE[entry.specialUse.toLowerCase()] : undefined;
  if (role) row.role = role;
  if (entry.parentPath) row.parentPath = entry.parentPath;
  return row;
}

function hasFlag(flags: Set<string>, flag: string): boolean {
  for (const f of flags) if (f.toLowerCase() === flag) return true;
  return false;
}

/** The namespace whose prefix is the longest match; personal when none matches. */
export function namespaceOf(path: string, namespaces: NamespacesObject | undefined): Namespace {
  let best: { ns: Namespace; length: number } = { ns: 'personal', length: -1 };
  const kinds: [Namespace, NamespacesObject[keyof NamespacesObject] | undefined][] = [
    ['personal', namespaces?.personal],
    ['other', namespaces?.other],
    ['shared', namespaces?.shared],
  ];
  for (const [ns, list] of kinds) {
    for (const { prefix } of list || []) {
      const matches = prefix
        ? path.startsWith(prefix) || `${path}${prefix.slice(-1)}` === prefix
        : true;
      if (matches && prefix.length > best.length) best = { ns, length: prefix.length };
    }
  }
  return best.ns;
}

/** Order of work: INBOX first, then folders people look at, then the rest by path. */
export function syncOrder(a: FolderRow, b: FolderRow): number {
  return rank(a) - rank(b) || a.path.localeCompare(b.path);
}

const ROLE_RANK: Partial<Record<FolderRole, number>> = { inbox: 0, sent: 1, drafts: 2, archive: 3 };

function rank(folder: FolderRow): number {
  const byRole = folder.role ? ROLE_RANK[folder.role] : undefined;
  if (byRole !== undefined) return byRole;
  return folder.namespace === 'personal' ? 10 : 20;
}
