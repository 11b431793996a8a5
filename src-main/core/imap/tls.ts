/**
 * TLS options for every server connection: certificates are always verified. A certificate the
 * user chose to trust is pinned: it is added as the only extra CA (so a self-signed one verifies)
 * and the presented certificate must then have exactly the pinned SHA-256, whatever its name.
 */
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { ServerSettings } from '#shared/accounts';
import { PetrelError } from '#shared/result';

export function tlsOptionsFor(server: ServerSettings): ConnectionOptions {
  const base: ConnectionOptions = {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    servername: isIpAddress(server.host) ? undefined : server.host,
  };
  const pinned = server.trustedCertificate;
  if (!pinned) return base;
  return {
    ...base,
    ca: [pinned.pem],
    checkServerIdentity: (host: string, cert: PeerCertificate) => {
      if (cert.fingerprint256 === pinned.sha256) return undefined;
      return (
        checkServerIdentity(host, cert) ??
        new Error(`The certificate of ${host} is not the one you chose to trust.`)
      );
    },
  };
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Plaintext is allowed only to this computer, and only when the user picked it. */
export function isPlaintextToAnotherHost(server: ServerSettings): boolean {
  return server.security === 'plain' && !isLoopbackHost(server.host);
}

/** Refuses, before any socket opens, plaintext to another computer. */
export function assertSecurityAllowed(label: 'IMAP' | 'SMTP', server: ServerSettings): void {
  if (!isPlaintextToAnotherHost(server)) return;
  throw new PetrelError(
    'invalid-argument',
    `Unencrypted ${label} is only allowed to this computer (localhost), not to ${server.host}. Choose TLS or STARTTLS.`,
  );
}
