/**
 * Command line and profile of browser mode. The cache lives in the browser's IndexedDB for the
 * page's origin, so a profile must keep its port: the origin, and with it the cache, stays the same
 * across launches.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readJsonFile, writeJsonFile } from '../core/settings/json-file.ts';

export const DEFAULT_PORT = 52817;

export interface ServeOptions {
  /** The port asked for on the command line; 0 means "any free one, then keep it". */
  port: number | undefined;
  profileDir: string;
  open: boolean;
}

export function parseServeArgs(argv: string[]): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      profile: { type: 'string' },
      open: { type: 'boolean', default: false },
    },
    strict: true,
  });
  return {
    port: values.port === undefined ? undefined : parsePort(values.port),
    profileDir: resolve(values.profile ?? defaultProfileDir()),
    open: values.open ?? false,
  };
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, not "${raw}".`);
  }
  return port;
}

function defaultProfileDir(): string {
  const config = process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(config, 'petrel-browser');
}

interface HostState {
  port?: number;
}

const hostStateFile = (profileDir: string) => join(profileDir, 'browser-host.json');

/**
 * The port to listen on: an explicit port wins; otherwise (or with 0) the one this profile used
 * before; a new profile gets the default, or with 0 a free one chosen by the system.
 */
export async function choosePort(options: ServeOptions): Promise<number> {
  if (options.port) return options.port;
  const state = await readJsonFile<HostState>(hostStateFile(options.profileDir), {});
  if (state.port) return state.port;
  return options.port === 0 ? 0 : DEFAULT_PORT;
}

export async function rememberPort(profileDir: string, port: number): Promise<void> {
  const state = await readJsonFile<HostState>(hostStateFile(profileDir), {});
  if (state.port === port) return;
  await writeJsonFile(hostStateFile(profileDir), { ...state, port });
}
