/**
 * The mail rig itself, exercised the way the app's core will use it: imapflow for IMAP,
 * nodemailer for SMTP, TLS always verified against the rig's own certificate.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { describe, expect, inject, it } from 'vitest';
import {
  createUser,
  imapClientFor,
  kickUser,
  seedMailbox,
  tlsOptionsFor,
  type MailRig,
} from './rig.ts';

const rig: MailRig = inject('mailRig');

interface User {
  address: string;
  password: string;
}

/** An imapflow client over STARTTLS; `tls` overrides the trust settings. */
function imapClient(user: User, tls: ImapFlowOptions['tls'] = tlsOptionsFor(rig)): ImapFlow {
  const client = new ImapFlow({
    host: rig.host,
    port: rig.imap.starttls,
    secure: false,
    doSTARTTLS: true,
    tls,
    auth: { user: user.address, pass: user.password },
    logger: false,
  });
  // An unhandled 'error' event would crash the worker; failures surface through the awaited calls.
  client.on('error', () => undefined);
  return client;
}

/**
 * Polls the selected mailbox until a message with this subject is there. Polling, not IDLE:
 * imapflow starts auto-IDLE only after 15 s without commands, far beyond this deadline.
 */
async function waitForSubject(
  client: ImapFlow,
  subject: string,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const uids = await client.search({ subject }, { uid: true });
    if (uids && uids.length > 0) {
      const msg = await client.fetchOne(String(uids[0]), { envelope: true }, { uid: true });
      return msg ? msg.envelope?.subject : undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no message "${subject}" arrived within ${timeoutMs} ms`);
}

function uniqueSubject(label: string): string {
  return `${label} ${randomBytes(4).toString('hex')}`;
}

describe('mail rig', () => {
  it('logs in over STARTTLS trusting only the rig certificate', async () => {
    const user = await createUser(rig, 'starttls');
    const client = imapClient(user);
    await client.connect();
    try {
      expect(client.tls && client.tls.authorized).toBe(true);
      expect(client.authenticated).toBeTruthy();
    } finally {
      await client.logout();
    }

    // Without the rig's CA the handshake must fail: proves the trust above is real.
    const untrusted = imapClient(user, { servername: 'localhost' });
    await expect(untrusted.connect()).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|CERT/),
    });
    untrusted.close();
  });

  it('logs in over implicit TLS', async () => {
    const user = await createUser(rig, 'imaps');
    const client = imapClientFor(rig, user, { disableAutoIdle: false });
    client.on('error', () => undefined);
    await client.connect();
    expect(client.tls && client.tls.authorized).toBe(true);
    await client.logout();
  });

  it('delivers mail sent over plain SMTP with AUTH, submission (STARTTLS) and implicit TLS', async () => {
    const alice = await createUser(rig, 'alice');
    const bob = await createUser(rig, 'bob');
    const transports = {
      // The plain listener allows AUTH without TLS (loopback counts as secure for Dovecot).
      plain: { port: rig.smtp.plain, secure: false, ignoreTLS: true },
      starttls: { port: rig.smtp.starttls, secure: false, requireTLS: true },
      tls: { port: rig.smtp.tls, secure: true },
    };
    const inbox = imapClient(bob);
    await inbox.connect();
    try {
      await inbox.mailboxOpen('INBOX');
      for (const [name, options] of Object.entries(transports)) {
        const transport = nodemailer.createTransport({
          host: rig.host,
          ...options,
          auth: { user: alice.address, pass: alice.password },
          tls: tlsOptionsFor(rig),
        });
        const subject = uniqueSubject(`via ${name}`);
        await transport.sendMail({
          from: alice.address,
          to: bob.address,
          subject,
          text: `sent over ${name}`,
        });
        transport.close();
        expect(await waitForSubject(inbox, subject)).toBe(subject);
      }
    } finally {
      await inbox.logout();
    }
  });

  it('refuses relaying and unauthenticated submission', async () => {
    const alice = await createUser(rig, 'alice');
    const plain = nodemailer.createTransport({
      host: rig.host,
      port: rig.smtp.plain,
      secure: false,
      tls: tlsOptionsFor(rig),
    });
    await expect(
      plain.sendMail({
        from: alice.address,
        to: 'someone@elsewhere.invalid',
        subject: 'relay',
        text: 'x',
      }),
    ).rejects.toMatchObject({ responseCode: 554 });
    plain.close();

    const submission = nodemailer.createTransport({
      host: rig.host,
      port: rig.smtp.starttls,
      secure: false,
      requireTLS: true,
      tls: tlsOptionsFor(rig),
    });
    await expect(
      submission.sendMail({
        from: alice.address,
        to: alice.address,
        subject: 'no auth',
        text: 'x',
      }),
    ).rejects.toMatchObject({ responseCode: 554 });
    submission.close();
  });

  it('seeds Maildir folders that IMAP sees at once', async () => {
    const user = await createUser(rig, 'seeded');
    await seedMailbox(rig, user.address, 2_000);
    await seedMailbox(rig, user.address, 2_000, { folder: 'Archive' });
    const client = imapClient(user);
    await client.connect();
    try {
      for (const folder of ['INBOX', 'Archive']) {
        const status = await client.status(folder, { messages: true });
        expect(status).toMatchObject({ messages: 2_000 });
        await client.mailboxOpen(folder);
        const newest = await client.fetchOne('*', { envelope: true });
        expect(newest && newest.envelope?.subject).toBe('Seed message 2000');
      }
    } finally {
      await client.logout();
    }
  });

  it('kickUser closes the open IMAP connection', async () => {
    const user = await createUser(rig, 'kicked');
    const client = imapClient(user);
    await client.connect();
    await client.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect(await kickUser(rig, user.address)).toBe(true);
    await closed;
    expect(client.usable).toBe(false);
  });

  it('rejects a wrong password without a delay', async () => {
    const user = await createUser(rig, 'wrongpass');
    const client = imapClient({ address: user.address, password: 'not-the-password' });
    const started = Date.now();
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    // Dovecot's default is a 2 s delay plus an anvil penalty; the rig turns both off, leaving only
    // Dovecot's fixed 500 ms failure-flush tick.
    expect(Date.now() - started).toBeLessThan(1_500);
    client.close();
  });
});
