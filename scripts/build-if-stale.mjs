// Builds with electron-vite when a source is newer than the last build. Build output goes to
// stderr, so that a command's stdout stays what it promises (browser mode prints one line).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const OUTPUTS = [
  'out/main/index.js',
  'out/main/browser.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];
const INPUTS = [
  'src-main',
  'src-shared',
  'src-renderer',
  'assets',
  'electron.vite.config.ts',
  'package.json',
];

export function buildIfStale() {
  if (!isStale()) return;
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    },
  );
  if (result.status !== 0) {
    process.stderr.write('Petrel could not be built (see the errors above).\n');
    process.exit(1);
  }
}

function isStale() {
  const outputs = OUTPUTS.map((file) => join(root, file));
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return INPUTS.some((input) => newestMtime(join(root, input)) > built);
}

/** @param {string} path */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}
