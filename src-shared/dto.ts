/** Data shapes that cross the process boundary. Plain, structured-clone-safe values only. */
import type { SecretStorageKind } from './accounts.ts';

export type HostMode = 'electron' | 'browser';

/** Whether Petrel opens the system's `mailto:` links (a desktop setting; browser mode cannot). */
export interface MailtoHandlerState {
  /** The host can be the system's handler (the desktop app). */
  supported: boolean;
  /** Petrel is the system's handler now. */
  isDefault: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  mode: HostMode;
  /** `process.platform` of the host, e.g. "linux". */
  platform: string;
  /** Where passwords are kept; anything but the OS keychain deserves a warning. */
  secretStorage: SecretStorageKind;
}

/** The largest message an account's SMTP server accepts (its EHLO SIZE), when it says. */
export interface SmtpSizeLimit {
  /** The server's host name, to name it in a warning. */
  server: string;
  /** Bytes of the whole message as sent (base64 attachments included); absent when unknown. */
  maxBytes?: number;
}
