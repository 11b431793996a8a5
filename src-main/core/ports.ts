/**
 * What the core needs from its host, as interfaces: the Electron shell and the browser-mode host
 * each provide their own. The core never imports electron.
 */
import type { EventName, PetrelEvents } from '#shared/contract';
import type { MailtoHandlerState } from '#shared/dto';

/** Pushes an event to the attached renderer, if any (dropped when none is attached). */
export interface EventSink {
  emit<K extends EventName>(event: K, payload: PetrelEvents[K]): void;
}

/** What only a desktop shell can do; the browser-mode host has none of it. */
export interface DesktopPort {
  setUnreadCount(count: number): void;
  /** Whether Petrel is the system's `mailto:` handler. */
  mailtoHandler(): MailtoHandlerState;
  setMailtoHandler(on: boolean): MailtoHandlerState;
  /** Opens the composer window of a local draft. */
  openComposerWindow(draftId: string): void;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Writes to stderr, so that stdout stays free for what a host promises to print. */
export const stderrLogger: Logger = {
  info: (message, fields) => writeLog('info', message, fields),
  warn: (message, fields) => writeLog('warn', message, fields),
  error: (message, fields) => writeLog('error', message, fields),
};

function writeLog(level: string, message: string, fields?: Record<string, unknown>): void {
  const suffix = fields ? ` ${JSON.stringify(fields)}` : '';
  process.stderr.write(`[petrel] ${level}: ${message}${suffix}\n`);
}
