/** Serves the built renderer folder; paths cannot leave it, and routes get the app shell. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
};

export async function serveStatic(
  rendererDir: string,
  pathname: string,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const root = normalize(rendererDir + sep);
  const relative = extname(pathname) ? decodeURIComponent(pathname) : '/index.html';
  const file = normalize(join(root, relative));
  const info = file.startsWith(root) ? await stat(file).catch(() => undefined) : undefined;
  if (!info?.isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  // Vite puts content-hashed files under /assets/; everything else may change between builds.
  const immutable = relative.startsWith('/assets/');
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
}
