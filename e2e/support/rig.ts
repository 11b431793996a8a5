/** The mail rig started by global setup, as the specs see it. */
import type { MailRig } from '../mailserver/rig.ts';
import { RIG_ENV } from './global-setup.ts';

export function e2eRig(): MailRig {
  const raw = process.env[RIG_ENV];
  if (!raw) throw new Error('The mail rig is not running (e2e global setup starts it).');
  return JSON.parse(raw) as MailRig;
}
