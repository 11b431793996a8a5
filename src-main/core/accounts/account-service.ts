/**
 * Adding, editing and removing accounts. Settings go to settings.json, the password to the secret
 * store, and the sync engine is told; removing an account also removes its secret and, through a
 * batch, everything the cache holds of it.
 */
import { randomUUID } from 'node:crypto';
import type {
  AccountInput,
  AccountSettings,
  AccountSummary,
  ConnectionTestResult,
} from '#shared/accounts';
import { PetrelError } from '#shared/result';
import type { EventSink } from '../ports.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import { assertSecurityAllowed } from '../imap/tls.ts';
import { testConnection } from './connection-test.ts';

export const passwordKey = (accountId: string): string => `account:${accountId}:password`;

export class AccountService {
  constructor(
    private readonly settings: SettingsStore,
    private readonly secrets: SecretStore,
    private readonly engine: SyncEngine,
    private readonly events: EventSink,
  ) {}

  async list(): Promise<AccountSummary[]> {
    return (await this.settings.read()).accounts;
  }

  passwordOf(accountId: string): Promise<string | undefined> {
    return this.secrets.get(passwordKey(accountId));
  }

  async test(input: AccountInput, accountId?: string): Promise<ConnectionTestResult> {
    const password = input.password ?? (accountId ? await this.passwordOf(accountId) : undefined);
    if (!password)
      throw new PetrelError('invalid-argument', 'Enter the password to test the connection.');
    return testConnection(settingsOf(input), password);
  }

  async add(input: AccountInput): Promise<AccountSummary> {
    assertAllowedSecurity(input);
    if (!input.password)
      throw new PetrelError('invalid-argument', 'Enter the password of the account.');
    const account: AccountSummary = { id: randomUUID(), ...settingsOf(input) };
    await this.secrets.set(passwordKey(account.id), input.password);
    await this.settings.update((s) => ({ ...s, accounts: [...s.accounts, account] }));
    await this.announce();
    await this.engine.accountAdded(account);
    return account;
  }

  async update(accountId: string, input: AccountInput): Promise<AccountSummary> {
    assertAllowedSecurity(input);
    await this.find(accountId);
    const account: AccountSummary = { id: accountId, ...settingsOf(input) };
    if (input.password) await this.secrets.set(passwordKey(accountId), input.password);
    await this.settings.update((s) => ({
      ...s,
      accounts: s.accounts.map((a) => (a.id === accountId ? account : a)),
    }));
    await this.announce();
    await this.engine.accountAdded(account);
    return account;
  }

  async remove(accountId: string): Promise<void> {
    await this.find(accountId);
    await this.settings.update((s) => ({
      ...s,
      accounts: s.accounts.filter((a) => a.id !== accountId),
    }));
    await this.secrets.delete(passwordKey(accountId));
    await this.announce();
    await this.engine.accountRemoved(accountId);
  }

  private async find(accountId: string): Promise<AccountSummary> {
    const account = (await this.list()).find((a) => a.id === accountId);
    if (!account)
      throw new PetrelError('invalid-argument', 'That account does not exist (any more).');
    return account;
  }

  private async announce(): Promise<void> {
    this.events.emit('accountsChanged', await this.list());
  }
}

/** The settings part of an input: never the password. */
function settingsOf(input: AccountInput): AccountSettings {
  const { name, email, username, imap, smtp, identities } = input;
  const settings = { name: name.trim(), email: email.trim(), username, imap, smtp };
  return identities ? { ...settings, identities } : settings;
}

function assertAllowedSecurity(input: AccountSettings): void {
  assertSecurityAllowed('IMAP', input.imap);
  assertSecurityAllowed('SMTP', input.smtp);
}
