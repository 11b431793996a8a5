/**
 * Starts the built browser-mode host (`out/main/browser.js`) with a fresh profile, the way a user
 * runs `npm run serve`, and reads the one line it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface BrowserModeHost {
  url: string;
  origin: string;
  profileDir: string;
  process: ChildProcess;
  /** Ends the host (SIGTERM) and deletes its profile, unless `keepProfile` (for a restart). */
  stop(opts?: { keepProfile?: boolean }): Promise<number | null>;
}

const ROOT = join(import.meta.dirname, '../..');
export const READY_LINE = /^Petrel is running at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=[\w-]+)$/;

export interface BrowserModeOptions {
  args?: string[];
  /** Writes files into the fresh profile before the host starts (e.g. a configured account). */
  prepareProfile?: (profileDir: string) => Promise<void>;
  /** Starts on an existing profile (a restart): same accounts, same port, so the same cache. */
  profileDir?: string;
}

export async function startBrowserMode(options: BrowserModeOptions = {}): Promise<BrowserModeHost> {
  const args = options.args ?? [];
  const profileDir = options.profileDir ?? (await mkdtemp(join(tmpdir(), 'petrel-profile-')));
  if (!options.profileDir) await options.prepareProfile?.(profileDir);
  const child = spawn(
    process.execPath,
    [join(ROOT, 'out/main/browser.js'), '--port', '0', '--profile', profileDir, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await firstLine(child);
  const match = READY_LINE.exec(url);
  if (!match?.[1]) throw new Error(`browser mode printed an unexpected line: ${url}`);
  return {
    url: match[1],
    origin: new URL(match[1]).origin,
    profileDir,
    process: child,
    stop: async ({ keepProfile = false } = {}) => {
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', resolve);
      });
      child.kill('SIGTERM');
      const code = await exited;
      if (!keepProfile) await rm(profileDir, { recursive: true, force: true });
      return code;
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`browser mode exited early with ${code}`)));
  });
}
