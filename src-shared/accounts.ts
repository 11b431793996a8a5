/** Account settings as the user edits them, and what testing a connection can report. */

/** "tls": implicit TLS; "starttls": STARTTLS required; "plain": only to a loopback host, by choice. */
export type Security = 'tls' | 'starttls' | 'plain';

/** A certificate the user chose to trust for one server (host + port), pinned by its SHA-256. */
export interface TrustedCertificate {
  sha256: string;
  pem: string;
}

export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  trustedCertificate?: TrustedCertificate;
}

export interface AccountSettings {
  /** What the user calls the account, e.g. "Work". */
  name: string;
  email: string;
  username: string;
  imap: ServerSettings;
  smtp: ServerSettings;
  /**
   * Who the account sends as: the first is its main identity (its `email`), the rest are aliases
   * the user added. Absent in settings written before identities existed: see `identitiesOf`.
   */
  identities?: Identity[];
}

/** An address the account sends as, with the name shown to recipients and its signature. */
export interface Identity {
  address: string;
  /** The display name, e.g. "Alice Liddell"; empty for none. */
  name: string;
  /** Plain text added under new messages and replies; empty for none. */
  signature: string;
}

export interface AccountSummary extends AccountSettings {
  id: string;
}

/** Settings plus the password; on edit, a missing password keeps the stored one. */
export interface AccountInput extends AccountSettings {
  password?: string;
}

export type ConnectionProblemKind =
  | 'auth-failed'
  | 'host-not-found'
  | 'connection-refused'
  | 'timeout'
  | 'certificate-untrusted'
  | 'starttls-unavailable'
  | 'plaintext-refused'
  | 'tls-failed'
  | 'protocol'
  | 'unknown';

export interface CertificateInfo {
  sha256: string;
  pem: string;
  subject: string;
  issuer: string;
  validTo: string;
}

export interface ConnectionProblem {
  server: 'imap' | 'smtp';
  kind: ConnectionProblemKind;
  /** A sentence for the user: what happened and what to check. */
  message: string;
  /** The server's certificate, when it was not trusted: shown so the user can decide to trust it. */
  certificate?: CertificateInfo;
}

export type ConnectionTestResult = { ok: true } | { ok: false; problems: ConnectionProblem[] };

export type AccountState = 'connecting' | 'syncing' | 'idle' | 'offline' | 'error';

export interface AccountStatus {
  accountId: string;
  state: AccountState;
  /** While syncing: messages mirrored so far of those known to exist. */
  progress?: { done: number; total: number };
  /** Why, for offline and error. */
  message?: string;
  /** When this state began (ms since epoch). */
  since: number;
}

/** Where account passwords are kept: the OS keychain, Electron's fixed-key fallback, or a file. */
export type SecretStorageKind = 'os-keychain' | 'basic-text' | 'profile-file';
