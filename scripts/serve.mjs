// `npm run serve -- [--port N] [--profile DIR] [--open]`: browser mode (see README).
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { buildIfStale } from './build-if-stale.mjs';

buildIfStale();
await import(pathToFileURL(join(import.meta.dirname, '../out/main/browser.js')).href);
