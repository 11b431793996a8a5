/**
 * UID commands sent one by one, on the folder a client has selected, for the tasks that remove
 * messages. imapflow's own helpers are not safe for that: `messageMove` falls back to COPY plus a
 * delete, and `messageDelete` sends a plain, folder-wide EXPUNGE unless `{uid: true}` and UIDPLUS
 * — which also removes what other clients flagged \Deleted. Here each function sends exactly the
 * command it is named after, and throws the server's refusal with its response code
 * (`serverResponseCode`, as imapflow's own errors carry it), so that `taskFailureOf` can tell
 * "never" from "not now".
 */
import type { ImapFlow } from 'imapflow';
import { encodePath } from 'imapflow/lib/tools.js';

/** [UIDVALIDITY of the target, pairs of [source UID, target UID]] from COPYUID (RFC 4315). */
export interface CopyUid {
  uidValidity: number;
  pairs: [number, number][];
}

interface ParsedAttribute {
  type?: string;
  value?: unknown;
  section?: ParsedAttribute[];
}

interface ParsedResponse {
  attributes?: ParsedAttribute[];
}

interface ExecResponse {
  response: ParsedResponse;
  next(): void;
}

type UntaggedHandler = (response: ParsedResponse) => void;

/** imapflow's command pipeline (internal, but the one every imapflow command goes through). */
interface ImapFlowInternals {
  exec(
    command: string,
    attributes: unknown[] | false,
    options?: { untagged?: Record<string, UntaggedHandler> },
  ): Promise<ExecResponse>;
}

/** UID MOVE (RFC 6851): the caller checks that the server offers MOVE. */
export async function uidMove(
  client: ImapFlow,
  uidSet: string,
  destination: string,
): Promise<CopyUid | undefined> {
  let copyUid: CopyUid | undefined;
  // Dovecot sends COPYUID in an untagged OK before the EXPUNGEs; others in the tagged OK.
  const response = await exec(
    client,
    'UID MOVE',
    [sequence(uidSet), mailbox(client, destination)],
    {
      OK: (untagged) => {
        copyUid ??= copyUidOf(untagged);
      },
    },
  );
  return copyUid ?? copyUidOf(response);
}

/** UID COPY: copies, never removes. */
export async function uidCopy(
  client: ImapFlow,
  uidSet: string,
  destination: string,
): Promise<CopyUid | undefined> {
  const response = await exec(client, 'UID COPY', [sequence(uidSet), mailbox(client, destination)]);
  return copyUidOf(response);
}

/** UID STORE +FLAGS.SILENT (\Deleted): marks exactly these messages, removes nothing. */
export async function uidMarkDeleted(client: ImapFlow, uidSet: string): Promise<void> {
  await exec(client, 'UID STORE', [
    sequence(uidSet),
    { type: 'ATOM', value: '+FLAGS.SILENT' },
    [{ type: 'ATOM', value: '\\Deleted' }],
  ]);
}

/**
 * UID EXPUNGE (UIDPLUS, RFC 4315): removes exactly these messages, and only if they are flagged
 * \Deleted. There is deliberately no plain EXPUNGE here.
 */
export async function uidExpunge(client: ImapFlow, uidSet: string): Promise<void> {
  if (!client.capabilities.has('UIDPLUS')) {
    throw new Error('UID EXPUNGE needs UIDPLUS; a plain EXPUNGE would remove more than asked');
  }
  await exec(client, 'UID EXPUNGE', [sequence(uidSet)]);
}

async function exec(
  client: ImapFlow,
  command: string,
  attributes: unknown[],
  untagged?: Record<string, UntaggedHandler>,
): Promise<ParsedResponse> {
  const internals = client as unknown as ImapFlowInternals;
  let answer: ExecResponse;
  try {
    answer = await internals.exec(command, attributes, untagged ? { untagged } : undefined);
  } catch (error) {
    throw withResponseCode(error);
  }
  try {
    return answer.response;
  } finally {
    // imapflow holds its reader until the answer is released.
    answer.next();
  }
}

const sequence = (uidSet: string) => ({ type: 'SEQUENCE', value: uidSet });

/** A folder name as the wire wants it (modified UTF-7 unless UTF8=ACCEPT is on). */
const mailbox = (client: ImapFlow, path: string) => ({
  type: 'ATOM',
  value: encodePath(client, path),
});

/** The response code of a refusal (`NO [TRYCREATE] …` → "TRYCREATE"), as imapflow reports it. */
function withResponseCode(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const fields = error as { response?: unknown; serverResponseCode?: unknown };
  if (fields.serverResponseCode === undefined && typeof fields.response === 'object') {
    const code = responseCode(fields.response as ParsedResponse);
    if (code) fields.serverResponseCode = code;
  }
  return error;
}

function responseCode(response: ParsedResponse): string | undefined {
  const first = response.attributes?.[0]?.section?.[0]?.value;
  return typeof first === 'string' ? first.toUpperCase() : undefined;
}

/** `[COPYUID <uidvalidity> <source set> <target set>]`, pairs in the order the server gave. */
export function copyUidOf(response: ParsedResponse): CopyUid | undefined {
  const section = response.attributes?.[0]?.section;
  if (!section || responseCode(response) !== 'COPYUID') return undefined;
  const uidValidity = Number(section[1]?.value);
  const sources = expandUidSet(section[2]?.value);
  const targets = expandUidSet(section[3]?.value);
  if (!Number.isSafeInteger(uidValidity) || !sources || !targets) return undefined;
  if (sources.length !== targets.length) return undefined;
  return { uidValidity, pairs: sources.map((uid, i): [number, number] => [uid, targets[i] ?? 0]) };
}

/** "3,5:7" → [3, 5, 6, 7]; a range keeps the direction it is written in. */
function expandUidSet(value: unknown): number[] | undefined {
  if (typeof value !== 'string' || !/^\d+(:\d+)?(,\d+(:\d+)?)*$/.test(value)) return undefined;
  const out: number[] = [];
  for (const item of value.split(',')) {
    const [a, b = a] = item.split(':').map(Number) as [number, number?];
    const step = a <= b ? 1 : -1;
    // A set this large did not come from a task (they are bounded): refuse it.
    if (Math.abs(b - a) > 1_000_000) return undefined;
    for (let uid = a; uid !== b + step; uid += step) out.push(uid);
  }
  return out;
}
