/** What the server holds, read with a separate IMAP session: the truth the UI is checked against. */
import type { MailRig } from '../mailserver/rig.ts';
import { imapClientFor } from '../mailserver/rig.ts';

export type RigUser = { address: string; password: string };

export interface ServerMessage {
  uid: number;
  subject: string;
  messageId: string;
  flags: string[];
}

/**
 * Runs `read` on a folder opened read-only in a separate session; [] for a folder that does not
 * exist or is empty.
 */
async function readFolder<T>(
  rig: MailRig,
  user: RigUser,
  path: string,
  read: (client: ReturnType<typeof imapClientFor>) => Promise<T[]>,
): Promise<T[]> {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    const list = await client.list();
    if (!list.some((f) => f.path === path)) return [];
    await client.mailboxOpen(path, { readOnly: true });
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    return await read(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** A folder's messages, oldest first; [] for a folder that does not exist. */
export function serverMessages(
  rig: MailRig,
  user: RigUser,
  path = 'INBOX',
): Promise<ServerMessage[]> {
  return readFolder(rig, user, path, async (client) => {
    const out: ServerMessage[] = [];
    for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
      out.push({
        uid: m.uid,
        subject: m.envelope?.subject ?? '',
        messageId: m.envelope?.messageId ?? '',
        flags: [...(m.flags ?? [])].sort(),
      });
    }
    return out;
  });
}

/** Subjects of a folder's messages, sorted (order-free comparisons). */
export async function serverSubjects(rig: MailRig, user: RigUser, path = 'INBOX') {
  return (await serverMessages(rig, user, path)).map((m) => m.subject).sort();
}

/** Every folder path of the account, sorted. */
export async function serverFolders(rig: MailRig, user: RigUser): Promise<string[]> {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    return (await client.list()).map((f) => f.path).sort();
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Puts a raw message into a folder of the user's (INBOX unless said), as another client would. */
export async function appendRaw(
  rig: MailRig,
  user: RigUser,
  raw: string | Buffer,
  opts: { date?: Date; path?: string } = {},
): Promise<void> {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    await client.append(opts.path ?? 'INBOX', raw, [], opts.date);
  } finally {
    await client.logout();
  }
}

/** The flags of one INBOX message, by UID, as the server has them now. */
export async function serverFlags(rig: MailRig, user: RigUser, uid: number): Promise<string[]> {
  return (await serverMessages(rig, user)).find((m) => m.uid === uid)?.flags ?? [];
}

/** Every message of a folder as its source (oldest first); [] for a folder that does not exist. */
export function rawMessages(rig: MailRig, user: RigUser, path = 'INBOX'): Promise<string[]> {
  return readFolder(rig, user, path, async (client) => {
    const out: string[] = [];
    for await (const m of client.fetch('1:*', { source: true })) out.push(String(m.source));
    return out;
  });
}
