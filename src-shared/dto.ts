/** Data shapes that cross the process boundary. Plain, structured-clone-safe values only. */

export type HostMode = 'electron' | 'browser';

export interface AppInfo {
  name: string;
  version: string;
  mode: HostMode;
  /** `process.platform` of the host, e.g. "linux". */
  platform: string;
}

export interface AccountSummary {
  id: string;
  /** What the user calls the account, e.g. "Work". */
  name: string;
  email: string;
}
