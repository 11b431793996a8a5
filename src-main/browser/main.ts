/**
 * `npm run serve`: Petrel's core in plain Node, its UI in any local browser. Prints exactly one
 * line (the URL) on stdout; logs go to stderr. Ends cleanly on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { errorMessage } from '#shared/result';
import { createCore } from '../core/petrel-core.ts';
import { FileSecretStore } from '../core/secrets/secret-store.ts';
import { stderrLogger } from '../core/ports.ts';
import { choosePort, parseServeArgs, rememberPort } from './options.ts';
import { startBrowserServer } from './server.ts';

declare const __PETREL_VERSION__: string;

async function main(): Promise<void> {
  const options = parseServeArgs(process.argv.slice(2));
  const server = await startBrowserServer({
    port: await choosePort(options),
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    logger: stderrLogger,
  });
  await rememberPort(options.profileDir, server.port);
  const core = createCore({
    profileDir: options.profileDir,
    mode: 'browser',
    version: __PETREL_VERSION__,
    events: server.events,
    logger: stderrLogger,
    // No OS keychain to ask from plain Node: a 0600 file in the profile, and the UI warns.
    secrets: new FileSecretStore(join(options.profileDir, 'secrets.json'), 'profile-file'),
  });
  server.attachApi(core.api);
  process.stdout.write(`Petrel is running at ${server.url}\n`);
  if (options.open) openInBrowser(server.url);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A hung socket must not keep the process alive past the promise of a quick exit.
    setTimeout(() => process.exit(0), 1500).unref();
    void Promise.all([server.close(), core.dispose()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Best effort: on a headless box there is nothing to open, and the printed URL is enough. */
function openInBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`Petrel could not start: ${errorMessage(error)}\n`);
  process.exit(1);
});
