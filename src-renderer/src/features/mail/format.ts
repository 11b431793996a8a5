/**
 * How mail looks in lists and headers: dates by distance from today, people by name, account
 * colours. Pure; formatters are built once (Intl formatters are costly to create).
 */
import type { Address } from '#shared/mail';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** Today: the time; this year: day and month; older: the full date. */
export function listDate(ms: number, now = new Date()): string {
  const date = new Date(ms);
  if (date.toDateString() === now.toDateString()) return time.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayMonth.format(date);
  return fullDate.format(date);
}

/** The reader's header date. */
export function readerDate(ms: number): string {
  return longDate.format(new Date(ms));
}

/** A person as a list shows them: the name, else the address. */
export function personName(address: Address | undefined): string {
  return address?.name?.trim() || address?.address || '(no sender)';
}

/** "Name <address>", or the address alone: the reader shows the address always (spoofing). */
export function fullAddress(address: Address): string {
  const name = address.name?.trim();
  if (!address.address) return name || '(unknown)';
  return name && name !== address.address ? `${name} <${address.address}>` : address.address;
}

const PALETTE = ['#1f77b4', '#d6661f', '#2a9d4b', '#c23b3b', '#8c55c2', '#8c6a3f', '#d14ea0'];

/** A stable colour per account, by its position in the account list. */
export function accountColor(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
