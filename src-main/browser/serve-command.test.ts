/**
 * `npm run serve` as a user (or a service manager) runs it: one line on stdout, and SIGTERM to npm
 * ends the server too (npm's `sh -c` would otherwise leave it running, orphaned).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
let profile: string | undefined;

afterEach(async () => {
  if (profile) await rm(profile, { recursive: true, force: true });
});

it('prints exactly one line, keeps its port in the profile, and stops with npm on SIGTERM', async () => {
  profile = await mkdtemp(join(tmpdir(), 'petrel-serve-'));
  const npm = spawn(
    'npm',
    ['run', '--silent', 'serve', '--', '--port', '0', '--profile', profile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const lines: string[] = [];
  const firstLine = new Promise<string>((resolve) =>
    createInterface({ input: npm.stdout }).on('line', (line) => {
      lines.push(line);
      resolve(line);
    }),
  );
  const line = await firstLine;
  const match = /^Petrel is running at http:\/\/127\.0\.0\.1:(\d+)\/\?token=[\w-]+$/.exec(line);
  expect(match).not.toBeNull();
  const port = Number(match?.[1]);
  expect(JSON.parse(await readFile(join(profile, 'browser-host.json'), 'utf8'))).toEqual({ port });
  expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);

  const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
  npm.kill('SIGTERM');
  await exited;
  // The server itself must be gone, not just npm: its port no longer answers.
  await expect(waitUntilRefused(port, 5_000)).resolves.toBe(true);
  expect(lines).toEqual([line]);
}, 60_000);

async function waitUntilRefused(port: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
