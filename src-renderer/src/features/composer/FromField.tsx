/**
 * The composer's From: every identity of every account (the account's own address and the aliases
 * added in its settings). Choosing one sets the draft's account and sender, and swaps the old
 * identity's signature for the new one's where it still stands unchanged.
 */
import type { AccountSummary, Identity } from '#shared/accounts';
import { addressKey, formatAddress } from '#shared/addresses';
import {
  identitiesOf,
  identityFor,
  senderOf,
  swapSignature,
  swapSignatureHtml,
} from '#shared/identities';
import type { ComposerDraft } from '../../state/store.ts';

interface Choice {
  key: string;
  account: AccountSummary;
  identity: Identity;
}

const keyOf = (account: AccountSummary, identity: Identity) =>
  `${account.id} ${addressKey(identity.address)}`;

/** Every identity of every account, each account's main one first. */
export function identityChoices(accounts: readonly AccountSummary[]): Choice[] {
  return accounts.flatMap((account) =>
    identitiesOf(account).map((identity) => ({ key: keyOf(account, identity), account, identity })),
  );
}

/** The changes to a draft when it is to be sent as `choice` instead (signature swapped). */
export function sendAs(
  draft: ComposerDraft,
  current: Identity | undefined,
  choice: Choice,
): Partial<ComposerDraft> {
  const from = current?.signature ?? '';
  const to = choice.identity.signature;
  return {
    accountId: choice.account.id,
    from: senderOf(choice.identity),
    body: swapSignature(draft.body, from, to),
    ...(draft.html !== undefined ? { html: swapSignatureHtml(draft.html, from, to) } : {}),
  };
}

export function FromField({
  accounts,
  draft,
  onChange,
}: {
  accounts: AccountSummary[];
  draft: ComposerDraft;
  onChange(patch: Partial<ComposerDraft>): void;
}) {
  const account = accounts.find((a) => a.id === draft.accountId) ?? accounts[0];
  const current = account && identityFor(account, draft.from);
  const choices = identityChoices(accounts);
  const several = accounts.length > 1;
  return (
    <div className="composer-row">
      <label htmlFor="composer-from">From</label>
      <select
        id="composer-from"
        value={account && current ? keyOf(account, current) : ''}
        onChange={(e) => {
          const choice = choices.find((c) => c.key === e.target.value);
          if (choice) onChange(sendAs(draft, current, choice));
        }}
      >
        {choices.map(({ key, account: owner, identity }) => (
          <option key={key} value={key}>
            {formatAddress(senderOf(identity))}
            {several ? ` — ${owner.name}` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
