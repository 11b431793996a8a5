/** Small process, socket and file helpers for the mail rig. */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const INSTALL_HINT =
  'run `bash scripts/ensure-system-deps.sh` (as root) to install Dovecot 2.3 and Postfix';

// /usr/sbin is often missing from a non-login PATH, and that is where dovecot and postfix live.
const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a system binary, or a clear error telling how to install it. */
export function findBinary(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SEARCH_DIRS];
  for (const d of dirs) {
    if (existsSync(`${d}/${name}`)) return `${d}/${name}`;
  }
  throw new Error(`Mail rig: \`${name}\` not found; ${INSTALL_HINT}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a short-lived command; a non-zero exit is returned, not thrown (spawn failures throw). */
export async function runStatus(
  cmd: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs a short-lived command and returns its stdout; the error carries its output. */
export async function run(
  cmd: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<string> {
  const r = await runStatus(cmd, args, timeoutMs);
  if (r.code !== 0) {
    const output = (r.stderr.trim() || r.stdout.trim()).slice(-2000);
    throw new Error(`Mail rig: \`${cmd} ${args.join(' ')}\` exited with ${r.code}: ${output}`);
  }
  return r.stdout;
}

/**
 * Runs a command that daemonizes, with stdio on a log file instead of pipes: the daemon keeps
 * inherited pipes open, so a caller waiting for EOF (execFile) would hang forever.
 */
export async function runDaemonizing(
  cmd: string,
  args: readonly string[],
  logFile: string,
): Promise<void> {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`Mail rig: \`${cmd} ${args.join(' ')}\` exited with ${code}`);
  } finally {
    closeSync(fd);
  }
}

/** Last `lines` lines of a log file, for error messages; empty when it does not exist. */
export async function tailFile(file: string, lines = 25): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A port the kernel just handed out on loopback; another process may still grab it before we bind. */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True if something already listens on host:port (so a fixed base port would collide). */
export async function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export interface GreetingTarget {
  /** For error messages, e.g. "Dovecot IMAP (STARTTLS)". */
  name: string;
  port: number;
  /** Implicit TLS: verify the handshake against `ca` before waiting for the greeting. */
  tls?: { ca: string; servername: string };
}

/** Resolves once the service sends its first bytes (banner/greeting), rejects on error or silence. */
function readGreeting(host: string, target: GreetingTarget, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = target.tls
      ? tls.connect({
          host,
          port: target.port,
          ca: target.tls.ca,
          servername: target.tls.servername,
        })
      : net.connect({ host, port: target.port });
    const timer = setTimeout(() => finish(new Error('no greeting')), timeoutMs);
    function finish(err: Error | null, data?: string): void {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(data ?? '');
    }
    sock.once('data', (d: Buffer) => finish(null, d.toString('latin1')));
    sock.once('error', (e) => finish(e));
    sock.once('close', () => finish(new Error('closed before greeting')));
  });
}

/** Polls until the port greets; the last error is included when the deadline passes. */
export async function waitForGreeting(
  host: string,
  target: GreetingTarget,
  deadline: number,
): Promise<void> {
  let lastError = 'not tried';
  while (Date.now() < deadline) {
    try {
      await readGreeting(host, target, Math.max(200, deadline - Date.now()));
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await sleep(50);
    }
  }
  throw new Error(
    `${target.name} on port ${target.port} did not greet in time (last error: ${lastError})`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * True while a process with this PID runs. A zombie counts as gone: daemons are reparented to
 * PID 1, which in some containers never reaps them, so signal 0 alone would wait forever.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, wait, then SIGKILL: a test run must never leave daemons behind. */
export async function terminate(pid: number, graceMs = 5_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(25);
  }
}

/** Reads a daemon's pid file; null when absent or garbled. */
export async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** uid/gid of a system user from /etc/passwd (Node has no getpwnam). */
export async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined) {
      return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  }
  throw new Error(`Mail rig: system user \`${name}\` not found; ${INSTALL_HINT}`);
}
