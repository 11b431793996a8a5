/**
 * A real Dovecot 2.3 + Postfix 3.7 pair on loopback for integration and end-to-end tests.
 * One rig = one folder holding configs, TLS material, queues, mail and logs; nothing outside it is
 * touched and nothing is sent off the machine. Needs root (Dovecot stores mail as Debian's `mail`
 * user) and the packages from `scripts/ensure-system-deps.sh`.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  PORT_NAMES,
  RIG_DOMAIN,
  RIG_HOST,
  RIG_NO_STARTTLS_HOST,
  dovecotConf,
  postfixMainCf,
  postfixMasterCf,
  rigPaths,
  type RigPaths,
  type RigPorts,
  type RigVariant,
} from './config.ts';
import {
  INSTALL_HINT,
  findBinary,
  freePort,
  isAlive,
  isListening,
  readPid,
  run,
  runDaemonizing,
  runStatus,
  systemUser,
  tailFile,
  terminate,
  waitForGreeting,
  type GreetingTarget,
} from './proc.ts';

export { seedMailbox, type SeedOptions, type SeedResult } from './seed.ts';

/** Everything a test needs to reach the rig; plain JSON so it survives vitest's provide/inject. */
export interface MailRig {
  dir: string;
  host: '127.0.0.1';
  imap: {
    starttls: number;
    tls: number;
    /** Plain IMAP whose server offers no STARTTLS; it listens on `noStarttlsHost`, not `host`. */
    noStarttls: number;
    noStarttlsHost: '127.0.0.2';
  };
  smtp: {
    plain: number;
    starttls: number;
    tls: number;
    /** Plain SMTP (on `host`) whose EHLO offers no STARTTLS; AUTH works without TLS. */
    noStarttls: number;
  };
  /** The rig's self-signed certificate: the only CA clients should trust. */
  caPem: string;
  doveConf: string;
  postfixDir: string;
  domain: 'example.test';
  /** Started with `noCondstore`: Dovecot advertises neither CONDSTORE nor QRESYNC. */
  noCondstore: boolean;
  /** Started with `noMove`: Dovecot does not advertise MOVE. */
  noMove: boolean;
  /** Started with `noUidplus`: Dovecot advertises neither UIDPLUS nor MOVE. */
  noUidplus: boolean;
}

export interface StartOptions {
  /**
   * Folder for this rig (created if missing, deleted by stopMailServers); default: a fresh
   * mkdtemp under os.tmpdir(). Set TMPDIR=/dev/shm to keep big fixtures off the disk.
   */
  dir?: string;
  /**
   * First of 9 consecutive loopback ports (order: PORT_NAMES); default env PETREL_RIG_BASE_PORT,
   * else kernel-chosen.
   */
  basePort?: number;
  /**
   * Dovecot advertises neither CONDSTORE nor QRESYNC, so clients must sync without them (imapflow
   * then enables neither). Advertising only: a raw `ENABLE CONDSTORE` would still be honoured.
   */
  noCondstore?: boolean;
  /** Dovecot does not advertise MOVE (clients fall back to COPY + UID EXPUNGE). Advertising only. */
  noMove?: boolean;
  /**
   * Dovecot advertises neither UIDPLUS nor MOVE (clients fall back to COPY and may only flag the
   * originals \Deleted). Advertising only: Dovecot still answers with COPYUID and APPENDUID.
   */
  noUidplus?: boolean;
}

const START_TIMEOUT_MS = 10_000;

/**
 * Starts Dovecot and Postfix in a new folder and waits until every listener greets.
 * @throws with the tail of both logs if a server does not come up within about 10 s.
 */
export async function startMailServers(opts: StartOptions = {}): Promise<MailRig> {
  // Free ports are found by binding port 0 and letting go: until Dovecot and Postfix bind them,
  // another rig starting at the same time (or any outgoing connection) may take one. Such a
  // start fails with "Address already in use"; a few more tries with fresh ports get past it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      const taken = /Address already in use/.test(String((err as Error).message));
      const fixed = opts.basePort !== undefined || envBasePort() !== undefined;
      if (!taken || fixed || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

const PORT_ATTEMPTS = 4;

async function startOnce(opts: StartOptions): Promise<MailRig> {
  const bins = await checkPrerequisites();
  const ports = await allocatePorts(opts.basePort ?? envBasePort());
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'petrel-rig-')));
  const p = rigPaths(path.resolve(dir));
  // Before the try below: its cleanup would stop the rig that is running in this folder.
  await refuseLiveRig(p);
  const variant: RigVariant = {
    noCondstore: opts.noCondstore === true,
    noMove: opts.noMove === true,
    noUidplus: opts.noUidplus === true,
  };
  const rig: MailRig = {
    dir: p.dir,
    host: RIG_HOST,
    imap: {
      starttls: ports.imapStarttls,
      tls: ports.imapTls,
      noStarttls: ports.imapNoStarttls,
      noStarttlsHost: RIG_NO_STARTTLS_HOST,
    },
    smtp: {
      plain: ports.smtpPlain,
      starttls: ports.smtpStarttls,
      tls: ports.smtpTls,
      noStarttls: ports.smtpNoStarttls,
    },
    caPem: '',
    doveConf: p.doveConf,
    postfixDir: p.postfixDir,
    domain: RIG_DOMAIN,
    noCondstore: variant.noCondstore,
    noMove: variant.noMove,
    noUidplus: variant.noUidplus,
  };
  try {
    await prepareFolder(p);
    rig.caPem = await writeCertificate(bins.openssl, p);
    await writeConfigs(p, ports, variant);
    await runDaemonizing(bins.dovecot, ['-c', p.doveConf], `${p.dir}/dovecot/stdio.log`);
    await runDaemonizing(bins.postfix, ['-c', p.postfixDir, 'start'], `${p.postfixDir}/stdio.log`);
    await waitForListeners(rig, ports);
  } catch (err) {
    const logs = await describeLogs(p);
    await stopMailServers(rig).catch(() => undefined);
    throw new Error(`Mail rig failed to start: ${(err as Error).message}\n${logs}`, { cause: err });
  }
  return rig;
}

/** Stops both servers (never leaving a process behind) and removes the folder unless PETREL_RIG_KEEP=1. */
export async function stopMailServers(rig: MailRig): Promise<void> {
  const p = rigPaths(rig.dir);
  await stopPostfix(p);
  const dovecotPid = await readPid(dovecotPidFile(p));
  if (dovecotPid !== null) await terminate(dovecotPid);
  if (process.env['PETREL_RIG_KEEP'] !== '1') await rm(p.dir, { recursive: true, force: true });
}

/**
 * Stops Dovecot alone, keeping every mailbox: a server going away in the middle of a sync.
 * `startImapServer` brings it back on the same ports.
 */
export async function stopImapServer(rig: MailRig): Promise<void> {
  const p = rigPaths(rig.dir);
  const pid = await readPid(dovecotPidFile(p));
  if (pid === null) return;
  // Dovecot's own shutdown leaves running imap sessions serving their clients; a server that goes
  // away takes them with it, so they are ended too.
  const children = await childPids(pid);
  await terminate(pid);
  for (const child of children) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // A stale base_dir (old sockets) stalled a restart by 5 s.
  await rm(p.doveBase, { recursive: true, force: true });
}

async function childPids(pid: number): Promise<number[]> {
  const r = await runStatus(findBinary('pgrep'), ['-P', String(pid)]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Starts Dovecot again after `stopImapServer` and waits until IMAP greets. */
export async function startImapServer(rig: MailRig): Promise<void> {
  const p = rigPaths(rig.dir);
  await runDaemonizing(findBinary('dovecot'), ['-c', p.doveConf], `${p.dir}/dovecot/stdio.log`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  const tls = { ca: rig.caPem, servername: 'localhost' };
  await Promise.all([
    waitForGreeting(
      rig.host,
      { name: 'Dovecot IMAP (STARTTLS)', port: rig.imap.starttls },
      deadline,
    ),
    waitForGreeting(rig.host, { name: 'Dovecot IMAPS', port: rig.imap.tls, tls }, deadline),
  ]);
}

/** Stops Postfix alone, keeping its queue and configuration: outgoing mail has nowhere to go. */
export async function stopSmtpServer(rig: MailRig): Promise<void> {
  await stopPostfix(rigPaths(rig.dir));
}

/** Starts Postfix again after `stopSmtpServer` and waits until submission and SMTPS greet. */
export async function startSmtpServer(rig: MailRig): Promise<void> {
  const p = rigPaths(rig.dir);
  await runDaemonizing(
    findBinary('postfix'),
    ['-c', p.postfixDir, 'start'],
    `${p.postfixDir}/stdio.log`,
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  const tls = { ca: rig.caPem, servername: 'localhost' };
  await Promise.all([
    waitForGreeting(rig.host, { name: 'Postfix submission', port: rig.smtp.starttls }, deadline),
    waitForGreeting(rig.host, { name: 'Postfix SMTPS', port: rig.smtp.tls, tls }, deadline),
  ]);
}

/**
 * Adds a user with a random suffix and password, usable at once for IMAP, SMTP AUTH and delivery
 * (Dovecot reads the user's own passwd-file on first lookup; Postfix accepts any local part).
 */
export async function createUser(
  rig: MailRig,
  name = 'user',
): Promise<{ address: string; password: string }> {
  const local = `${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${randomBytes(4).toString('hex')}`;
  const address = `${local}@${rig.domain}`;
  const password = randomBytes(12).toString('base64url');
  const file = `${rigPaths(rig.dir).passwdDir}/${address}`;
  await writeFile(`${file}.tmp`, `${address}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  // Renamed into place so the auth process never reads half a line.
  await rename(`${file}.tmp`, file);
  return { address, password };
}

/**
 * Cuts every IMAP connection of this user (Dovecot sends BYE and closes), e.g. to test reconnects.
 * Resolves false when the user had no connection to cut.
 */
export async function kickUser(rig: MailRig, address: string): Promise<boolean> {
  const args = ['-c', rig.doveConf, 'kick', address];
  const r = await runStatus(findBinary('doveadm'), args);
  // doveadm exits 68 with "no users kicked" when there was nothing to do.
  if (r.code === 68 && r.stdout.includes('no users kicked')) return false;
  if (r.code !== 0)
    throw new Error(`Mail rig: doveadm kick ${address} failed: ${r.stderr || r.stdout}`);
  return true;
}

/**
 * A (not yet connected) imapflow client for a rig user over implicit TLS, trusting only the rig's
 * certificate; `options` override the defaults (quiet, no auto-IDLE).
 */
export function imapClientFor(
  rig: MailRig,
  user: { address: string; password: string },
  options: Partial<ImapFlowOptions> = {},
): ImapFlow {
  return new ImapFlow({
    host: rig.host,
    port: rig.imap.tls,
    secure: true,
    tls: tlsOptionsFor(rig),
    auth: { user: user.address, pass: user.password },
    logger: false,
    disableAutoIdle: true,
    ...options,
  });
}

/** TLS options that trust only the rig's own certificate (never `rejectUnauthorized: false`). */
export function tlsOptionsFor(rig: MailRig): { ca: string[]; servername: string } {
  return { ca: [rig.caPem], servername: 'localhost' };
}

interface Binaries {
  dovecot: string;
  postfix: string;
  openssl: string;
}

async function checkPrerequisites(): Promise<Binaries> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Mail rig must run as root: Dovecot and Postfix switch to their own system users.',
    );
  }
  const bins = {
    dovecot: findBinary('dovecot'),
    postfix: findBinary('postfix'),
    openssl: findBinary('openssl'),
  };
  findBinary('doveadm');
  const version = (await run(bins.dovecot, ['--version'])).trim();
  // The config uses 2.3 syntax; 2.4 renamed many settings and would fail in obscure ways.
  if (!version.startsWith('2.3')) {
    throw new Error(`Mail rig needs Dovecot 2.3.x, found ${version}; ${INSTALL_HINT}`);
  }
  return bins;
}

function envBasePort(): number | undefined {
  const raw = process.env['PETREL_RIG_BASE_PORT'];
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65535 - PORT_NAMES.length) {
    throw new Error(
      `PETREL_RIG_BASE_PORT must be a port number between 1024 and ${65535 - PORT_NAMES.length}, got ${raw}`,
    );
  }
  return port;
}

async function allocatePorts(basePort: number | undefined): Promise<RigPorts> {
  const ports: Partial<RigPorts> = {};
  const taken = new Set<number>();
  for (const [i, name] of PORT_NAMES.entries()) {
    if (basePort === undefined) {
      // The kernel may hand out a just-closed port again; ask until it is new to us.
      let port = await freePort(RIG_HOST);
      while (taken.has(port)) port = await freePort(RIG_HOST);
      taken.add(port);
      ports[name] = port;
    } else {
      const port = basePort + i;
      // A clear message beats a bind error buried in a daemon log.
      if (await isListening(listenerHost(name), port))
        throw new Error(`Mail rig: port ${port} (${name}) is already in use`);
      ports[name] = port;
    }
  }
  return ports as RigPorts;
}

async function prepareFolder(p: RigPaths): Promise<void> {
  await mkdir(p.dir, { recursive: true });
  // mkdtemp makes the folder 0700; Dovecot's and Postfix's unprivileged users must traverse it.
  await chmod(p.dir, 0o755);
  // Left behind by a rig that died; a later stop would signal whatever process now has that PID.
  await rm(dovecotPidFile(p), { force: true });
  await rm(postfixPidFile(p), { force: true });
  // A stale base_dir (old sockets) stalled a restart by 5 s.
  await rm(p.doveBase, { recursive: true, force: true });
  for (const d of [
    `${p.dir}/tls`,
    p.doveState,
    p.passwdDir,
    p.mailRoot,
    p.postfixDir,
    p.postfixQueue,
    p.postfixData,
  ]) {
    await mkdir(d, { recursive: true });
  }
  const mail = await systemUser('mail');
  await chown(p.mailRoot, mail.uid, mail.gid);
  // The public namespace's folders live here, shared by every user.
  await mkdir(`${p.mailRoot}/public`, { recursive: true });
  await chown(`${p.mailRoot}/public`, mail.uid, mail.gid);
  const postfix = await systemUser('postfix');
  await chown(p.postfixData, postfix.uid, postfix.gid);
}

/** A folder can be reused (`dir`), but not while a rig still runs in it. */
async function refuseLiveRig(p: RigPaths): Promise<void> {
  for (const file of [dovecotPidFile(p), postfixPidFile(p)]) {
    const pid = await readPid(file);
    if (pid !== null && isAlive(pid)) {
      throw new Error(`Mail rig: ${file} names running process ${pid}; stop that rig first`);
    }
  }
}

/** The loopback address a port is bound on: only the no-STARTTLS IMAP listener has its own. */
function listenerHost(name: keyof RigPorts): string {
  return name === 'imapNoStarttls' ? RIG_NO_STARTTLS_HOST : RIG_HOST;
}

function dovecotPidFile(p: RigPaths): string {
  return `${p.doveBase}/master.pid`;
}

function postfixPidFile(p: RigPaths): string {
  return `${p.postfixQueue}/pid/master.pid`;
}

/**
 * A fresh self-signed certificate and key (CN=localhost, SAN localhost and 127.0.0.1) that is not
 * the rig's: for tests of certificate pinning and of servers that present another certificate.
 */
export async function createSelfSignedCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'petrel-cert-'));
  try {
    await selfSigned(findBinary('openssl'), `${dir}/key.pem`, `${dir}/cert.pem`);
    const [certPem, keyPem] = await Promise.all([
      readFile(`${dir}/cert.pem`, 'utf8'),
      readFile(`${dir}/key.pem`, 'utf8'),
    ]);
    return { certPem, keyPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeCertificate(openssl: string, p: RigPaths): Promise<string> {
  await selfSigned(openssl, p.keyFile, p.certFile);
  await chmod(p.keyFile, 0o600);
  return readFile(p.certFile, 'utf8');
}

async function selfSigned(openssl: string, keyFile: string, certFile: string): Promise<void> {
  await run(openssl, [
    // P-256: key generation takes milliseconds where RSA-2048 takes up to half a second.
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '3650',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
}

async function writeConfigs(p: RigPaths, ports: RigPorts, variant: RigVariant): Promise<void> {
  const instance = `petrel-${path.basename(p.dir)}-${randomBytes(3).toString('hex')}`;
  await writeFile(p.doveConf, dovecotConf(p, ports, instance, variant));
  await writeFile(`${p.postfixDir}/main.cf`, postfixMainCf(p, ports));
  await writeFile(`${p.postfixDir}/master.cf`, postfixMasterCf(ports));
  // `postfix start` stalls up to 2 s on config files modified in the last few seconds; backdate them.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf']) await utimes(`${p.postfixDir}/${f}`, past, past);
}

async function waitForListeners(rig: MailRig, ports: RigPorts): Promise<void> {
  const tls = { ca: rig.caPem, servername: 'localhost' };
  const targets: (GreetingTarget & { host?: string })[] = [
    { name: 'Dovecot IMAP (STARTTLS)', port: ports.imapStarttls },
    { name: 'Dovecot IMAP (no STARTTLS)', port: ports.imapNoStarttls, host: RIG_NO_STARTTLS_HOST },
    { name: 'Postfix SMTP (no STARTTLS)', port: ports.smtpNoStarttls },
    { name: 'Dovecot IMAPS', port: ports.imapTls, tls },
    { name: 'Dovecot LMTP', port: ports.lmtp },
    { name: 'Dovecot auth', port: ports.auth },
    { name: 'Postfix SMTP', port: ports.smtpPlain },
    { name: 'Postfix submission', port: ports.smtpStarttls },
    { name: 'Postfix SMTPS', port: ports.smtpTls, tls },
  ];
  const deadline = Date.now() + START_TIMEOUT_MS;
  await Promise.all(targets.map((t) => waitForGreeting(t.host ?? rig.host, t, deadline)));
}

async function stopPostfix(p: RigPaths): Promise<void> {
  const pid = await readPid(postfixPidFile(p));
  if (pid === null) return;
  // SIGTERM to the master is what `postfix stop` sends; the command itself then polls once a
  // second, adding a full second to every rig. The master takes its children down with it.
  await terminate(pid);
}

async function describeLogs(p: RigPaths): Promise<string> {
  const parts: [string, string][] = [
    ['Dovecot log', p.doveLog],
    ['Dovecot stdio', `${p.dir}/dovecot/stdio.log`],
    ['Postfix log', p.postfixLog],
    ['Postfix stdio', `${p.postfixDir}/stdio.log`],
  ];
  const out: string[] = [];
  for (const [title, file] of parts) {
    const tail = await tailFile(file);
    if (tail) out.push(`--- ${title} (${file}) ---\n${tail}`);
  }
  return out.join('\n') || '(no server logs were written)';
}
