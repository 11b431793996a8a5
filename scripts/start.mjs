// `npm start`: the desktop app when an Electron binary is present (or can be downloaded);
// otherwise one line saying so, and browser mode, opened in a browser where one can be opened.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';
import { downloadElectronBinary, findElectronBinary } from './electron-binary.mjs';

const root = join(import.meta.dirname, '..');
buildIfStale();

const found = findElectronBinary();
const { binary, reason } = found ? { binary: found, reason: undefined } : downloadElectronBinary();
if (binary) {
  const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stderr.write(
    `No Electron binary is available here (${reason}); starting Petrel in browser mode instead.\n`,
  );
  process.argv.push('--open');
  await import(pathToFileURL(join(root, 'out/main/browser.js')).href);
}
