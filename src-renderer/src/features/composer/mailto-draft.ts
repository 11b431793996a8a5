/**
 * A `mailto:` link, from a message or from the system, as a new draft. Only what a person sees in
 * the composer is taken (src-shared/mailto.ts): an `attach=` or a `from=` never reaches a message.
 */
import { useEffect } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { formatAddressList } from '#shared/addresses';
import { parseMailto } from '#shared/mailto';
import { petrel } from '../../bridge/index.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';
import { newDraft } from './drafts.ts';

export interface MailtoDraft {
  draft: ComposerDraft;
  /** Parameters of the link that were left out, e.g. ["attach"], to tell the user. */
  ignored: string[];
}

type DraftAccount = Parameters<typeof newDraft>[0];

/** The draft a `mailto:` URL asks for, from `account`; undefined if the URL is not one. */
export function draftFromMailto(url: string, account: DraftAccount): MailtoDraft | undefined {
  const link = parseMailto(url);
  if (!link) return undefined;
  const base = newDraft(account, link.body ?? '');
  // Entries that are not addresses stay in To, as written, where the composer marks them.
  const to = [formatAddressList(link.to), ...link.invalid].filter(Boolean).join(', ');
  const draft: ComposerDraft = {
    ...base,
    to,
    cc: formatAddressList(link.cc),
    bcc: formatAddressList(link.bcc),
    subject: link.subject ?? '',
    ...(link.inReplyTo ? { inReplyTo: link.inReplyTo, references: [link.inReplyTo] } : {}),
  };
  return { draft, ignored: link.ignored };
}

/** Opens the composer for a link; says which parameters were left out, if any. */
export function describeIgnored(ignored: readonly string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  return `The link also asked for ${ignored.join(', ')}: Petrel leaves that out.`;
}

/**
 * Opens the composer for a `mailto:` link, from `accountId` (the account the link was read in;
 * the first account for the system's links).
 */
export async function composeMailto(url: string, accountId: string): Promise<void> {
  const accounts = await petrel().listAccounts();
  const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
  const made = account && draftFromMailto(url, account);
  if (!made) return;
  const ui = useUiStore.getState();
  ui.openComposer(made.draft);
  const note = describeIgnored(made.ignored);
  if (note) ui.setNotice(note);
}

/**
 * In the main window: links the system handed to Petrel (it is the mailto: handler) open the
 * composer, those that came while the window was loading included.
 */
export function useSystemMailto(accounts: readonly AccountSummary[]): void {
  const first = accounts[0]?.id;
  useEffect(() => {
    if (!first) return;
    const take = () =>
      void petrel()
        .takeMailto()
        .then(async (urls) => {
          for (const url of urls) await composeMailto(url, first);
        })
        .catch((error: unknown) => console.error('mailto: links could not be read', error));
    take();
    return petrel().on('mailtoWaiting', take);
  }, [first]);
}
