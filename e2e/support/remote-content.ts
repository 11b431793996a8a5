/** A stand-in for the remote servers hostile mail points at: it records every path asked for. */
import { createServer, type Server } from 'node:http';

/** Serves a 1-pixel-like empty image, or a stylesheet for `.css` paths, and reports each path. */
export function listenForRequests(onRequest: (path: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    onRequest(req.url ?? '');
    const css = req.url?.endsWith('.css');
    res.writeHead(200, { 'content-type': css ? 'text/css' : 'image/png' });
    res.end(css ? 'body { color: rgb(1, 2, 3); }' : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Stops it. The browser keeps its connections alive: `close` alone waits for them (a test that
 * loaded remote content hung until its timeout), so they are ended first.
 */
export function stopListening(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
