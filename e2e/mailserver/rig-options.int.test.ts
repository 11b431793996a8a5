/**
 * The rig's extra listeners (servers without STARTTLS) and its variants (`noCondstore`, `noMove`,
 * `noUidplus`), checked with the clients the app uses.
 */
import net from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createUser,
  startMailServers,
  stopMailServers,
  tlsOptionsFor,
  type MailRig,
} from './rig.ts';

const rig: MailRig = inject('mailRig');

interface User {
  address: string;
  password: string;
}

function imapClient(target: MailRig, user: User, opts: Partial<ImapFlowOptions> = {}): ImapFlow {
  const client = new ImapFlow({
    host: target.host,
    port: target.imap.starttls,
    secure: false,
    doSTARTTLS: true,
    tls: tlsOptionsFor(target),
    auth: { user: user.address, pass: user.password },
    logger: false,
    qresync: true,
    ...opts,
  });
  client.on('error', () => undefined);
  return client;
}

/** What a server says by itself, and its answer to one command. */
async function converse(host: string, port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let text = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(text);
    }, 500);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!sent) {
        sent = true;
        socket.write(`${command}\r\n`);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('listeners without STARTTLS', () => {
  it('IMAP: no STARTTLS offered; required STARTTLS fails, plaintext login works', async () => {
    const host = rig.imap.noStarttlsHost;
    const port = rig.imap.noStarttls;
    const talk = await converse(host, port, 'a CAPABILITY');
    expect(talk).toMatch(/^\* OK /);
    expect(talk).toMatch(/a OK/);
    expect(talk).not.toMatch(/STARTTLS/);
    // The default listener does offer it: the difference is the listener, not the server.
    expect(await converse(rig.host, rig.imap.starttls, 'a CAPABILITY')).toMatch(/STARTTLS/);

    const user = await createUser(rig, 'nostarttls');
    const required = imapClient(rig, user, { host, port });
    await expect(required.connect()).rejects.toMatchObject({
      message: 'Server does not support STARTTLS',
      tlsFailed: true,
    });
    required.close();

    const plain = imapClient(rig, user, { host, port, doSTARTTLS: false });
    await plain.connect();
    expect(plain.authenticated).toBeTruthy();
    expect(plain.secureConnection).toBe(false);
    await plain.logout();
  });

  it('SMTP: no STARTTLS in EHLO; requireTLS fails, AUTH without TLS works', async () => {
    const ehlo = await converse(rig.host, rig.smtp.noStarttls, 'EHLO client.invalid');
    expect(ehlo).toMatch(/^220 /);
    expect(ehlo).toMatch(/250[ -]AUTH/);
    expect(ehlo).not.toMatch(/STARTTLS/);

    const user = await createUser(rig, 'nostarttls-smtp');
    const base = {
      host: rig.host,
      port: rig.smtp.noStarttls,
      secure: false,
      auth: { user: user.address, pass: user.password },
      tls: tlsOptionsFor(rig),
    };
    const required = nodemailer.createTransport({ ...base, requireTLS: true });
    await expect(required.verify()).rejects.toMatchObject({ code: 'ETLS', responseCode: 502 });
    required.close();
    const plain = nodemailer.createTransport({ ...base, ignoreTLS: true });
    await expect(plain.verify()).resolves.toBe(true);
    plain.close();
  });
});

describe('startMailServers({ noCondstore: true })', () => {
  let bare: MailRig;

  beforeAll(async () => {
    bare = await startMailServers({ noCondstore: true });
  });

  afterAll(async () => {
    if (bare) await stopMailServers(bare);
  });

  it('the default rig advertises and enables CONDSTORE and QRESYNC (control)', async () => {
    expect(rig.noCondstore).toBe(false);
    const user = await createUser(rig, 'condstore');
    const client = imapClient(rig, user);
    await client.connect();
    try {
      expect(client.capabilities.has('CONDSTORE')).toBe(true);
      expect(client.capabilities.has('QRESYNC')).toBe(true);
      expect(client.enabled.has('QRESYNC')).toBe(true);
      const mailbox = await client.mailboxOpen('INBOX');
      expect(mailbox.highestModseq).toBeDefined();
    } finally {
      await client.logout();
    }
  });

  it('advertises neither, so imapflow enables neither and gets no MODSEQ', async () => {
    expect(bare.noCondstore).toBe(true);
    const user = await createUser(bare, 'nocondstore');
    const client = imapClient(bare, user);
    await client.connect();
    try {
      expect(client.capabilities.has('CONDSTORE')).toBe(false);
      expect(client.capabilities.has('QRESYNC')).toBe(false);
      expect(client.enabled.has('CONDSTORE')).toBe(false);
      expect(client.enabled.has('QRESYNC')).toBe(false);
      // The rest of the server is unchanged.
      for (const cap of ['IDLE', 'MOVE', 'UIDPLUS', 'SPECIAL-USE', 'ENABLE']) {
        expect(client.capabilities.has(cap), cap).toBe(true);
      }
      const mailbox = await client.mailboxOpen('INBOX');
      expect(mailbox.highestModseq).toBeUndefined();
    } finally {
      await client.logout();
    }
  });

  it('still delivers mail (SMTP, LMTP) like the default rig', async () => {
    const user = await createUser(bare, 'nocondstore-mail');
    const transport = nodemailer.createTransport({
      host: bare.host,
      port: bare.smtp.starttls,
      secure: false,
      requireTLS: true,
      auth: { user: user.address, pass: user.password },
      tls: tlsOptionsFor(bare),
    });
    await transport.sendMail({ from: user.address, to: user.address, subject: 'hi', text: 'x' });
    transport.close();
    const client = imapClient(bare, user);
    await client.connect();
    try {
      const deadline = Date.now() + 10_000;
      let messages = 0;
      while (messages === 0 && Date.now() < deadline) {
        const status = await client.status('INBOX', { messages: true });
        messages = (status && status.messages) || 0;
        if (messages === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(messages).toBe(1);
    } finally {
      await client.logout();
    }
  });
});

describe('startMailServers({ noMove | noUidplus: true })', () => {
  let noMove: MailRig;
  let noUidplus: MailRig;

  beforeAll(async () => {
    [noMove, noUidplus] = await Promise.all([
      startMailServers({ noMove: true }),
      startMailServers({ noUidplus: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([noMove, noUidplus].filter(Boolean).map((r) => stopMailServers(r)));
  });

  /** Capabilities after login, and what COPY answers (COPYUID or not) on that rig. */
  async function probe(target: MailRig, name: string) {
    const user = await createUser(target, name);
    const client = imapClient(target, user);
    await client.connect();
    try {
      await client.append('INBOX', 'Subject: probe\r\n\r\nhi\r\n');
      await client.mailboxOpen('INBOX');
      const copied = await client.messageCopy('1', 'Archive', { uid: true });
      return {
        capabilities: new Set(client.capabilities.keys()),
        copyUid: copied ? copied.uidMap : undefined,
      };
    } finally {
      await client.logout();
    }
  }

  it('the default rig advertises MOVE and UIDPLUS (control)', async () => {
    expect(rig.noMove).toBe(false);
    expect(rig.noUidplus).toBe(false);
    const { capabilities } = await probe(rig, 'moves');
    expect(capabilities.has('MOVE')).toBe(true);
    expect(capabilities.has('UIDPLUS')).toBe(true);
  });

  it('noMove: no MOVE, UIDPLUS and the rest as always', async () => {
    expect(noMove.noMove).toBe(true);
    const { capabilities } = await probe(noMove, 'nomove');
    expect(capabilities.has('MOVE')).toBe(false);
    for (const cap of ['UIDPLUS', 'CONDSTORE', 'QRESYNC', 'IDLE', 'UNSELECT', 'SPECIAL-USE']) {
      expect(capabilities.has(cap), cap).toBe(true);
    }
  });

  it('noUidplus: neither UIDPLUS nor MOVE; Dovecot still says COPYUID unasked', async () => {
    expect(noUidplus.noUidplus).toBe(true);
    const { capabilities, copyUid } = await probe(noUidplus, 'nouidplus');
    expect(capabilities.has('MOVE')).toBe(false);
    expect(capabilities.has('UIDPLUS')).toBe(false);
    for (const cap of ['CONDSTORE', 'QRESYNC', 'IDLE', 'UNSELECT', 'SPECIAL-USE']) {
      expect(capabilities.has(cap), cap).toBe(true);
    }
    // Advertising only: clients must not rely on it, and Petrel's tasks do not.
    expect(copyUid).toEqual(new Map([[1, 1]]));
  });
});
