/**
 * Config templates for the loopback mail rig: Dovecot 2.3 (IMAP + LMTP + SASL for Postfix) and
 * Postfix 3.7 (SMTP on three listeners, delivering example.test over LMTP into Dovecot).
 * Everything lives inside one folder so parallel rigs never share state.
 */

/** Loopback ports, one per listener. */
export interface RigPorts {
  imapStarttls: number;
  imapTls: number;
  lmtp: number;
  auth: number;
  smtpPlain: number;
  smtpStarttls: number;
  smtpTls: number;
  /** IMAP on RIG_NO_STARTTLS_HOST, where Dovecot has TLS off: the greeting offers no STARTTLS. */
  imapNoStarttls: number;
  /** SMTP with TLS off (no STARTTLS in EHLO), AUTH allowed in plaintext. */
  smtpNoStarttls: number;
}

/** Variations of the servers' behaviour; every flag off is the default rig. */
export interface RigVariant {
  /** Dovecot advertises neither CONDSTORE nor QRESYNC (see NO_CONDSTORE_CAPABILITY). */
  noCondstore: boolean;
  /** Dovecot does not advertise MOVE: clients must COPY, then remove the originals. */
  noMove: boolean;
  /** Dovecot advertises neither UIDPLUS nor MOVE: no UID EXPUNGE, no COPYUID promised. */
  noUidplus: boolean;
}

export const DEFAULT_VARIANT: RigVariant = { noCondstore: false, noMove: false, noUidplus: false };

/** Fixed file layout inside the rig folder; every module derives paths from here. */
export interface RigPaths {
  dir: string;
  certFile: string;
  keyFile: string;
  doveConf: string;
  doveBase: string;
  doveState: string;
  doveLog: string;
  /** One passwd-file per user (see dovecotConf for why). */
  passwdDir: string;
  mailRoot: string;
  postfixDir: string;
  postfixQueue: string;
  postfixData: string;
  postfixLog: string;
}

/** The order in which `allocatePorts` hands out consecutive ports from a base port. */
export const PORT_NAMES: readonly (keyof RigPorts)[] = [
  'imapStarttls',
  'imapTls',
  'smtpPlain',
  'smtpStarttls',
  'smtpTls',
  'lmtp',
  'auth',
  // Appended, so the ports above keep their offsets from a fixed base port.
  'imapNoStarttls',
  'smtpNoStarttls',
];

export const RIG_DOMAIN = 'example.test';
export const RIG_HOST = '127.0.0.1';
/**
 * A second loopback address (all of 127/8 is loopback on Linux) for the IMAP listener without
 * STARTTLS: Dovecot 2.3 can switch TLS off per local address (`local` block), not per port.
 */
export const RIG_NO_STARTTLS_HOST = '127.0.0.2';

/**
 * Dovecot 2.3.19's post-login capabilities with this rig's config (COMPRESS=DEFLATE from
 * imap_zlib), as it advertises them by default.
 */
export const DOVECOT_CAPABILITIES = [
  'IMAP4rev1',
  'SASL-IR',
  'LOGIN-REFERRALS',
  'ID',
  'ENABLE',
  'IDLE',
  'SORT',
  'SORT=DISPLAY',
  'THREAD=REFERENCES',
  'THREAD=REFS',
  'THREAD=ORDEREDSUBJECT',
  'MULTIAPPEND',
  'URL-PARTIAL',
  'CATENATE',
  'UNSELECT',
  'CHILDREN',
  'NAMESPACE',
  'UIDPLUS',
  'LIST-EXTENDED',
  'I18NLEVEL=1',
  'CONDSTORE',
  'QRESYNC',
  'ESEARCH',
  'ESORT',
  'SEARCHRES',
  'WITHIN',
  'CONTEXT=SEARCH',
  'LIST-STATUS',
  'BINARY',
  'MOVE',
  'SNIPPET=FUZZY',
  'PREVIEW=FUZZY',
  'PREVIEW',
  'STATUS=SIZE',
  'SAVEDATE',
  'LITERAL+',
  'NOTIFY',
  'SPECIAL-USE',
  'COMPRESS=DEFLATE',
] as const;

/**
 * The `imap_capability` a variant sets, or undefined for Dovecot's own list. The setting replaces
 * the advertised list as a whole (Dovecot has no syntax to remove one item), and changes only what
 * is advertised: a client that sends `ENABLE CONDSTORE`, `MOVE` or `UID EXPUNGE` anyway is still
 * served (imapflow enables only what is listed; Petrel's tasks check the list before each).
 */
export function advertisedCapabilities(variant: RigVariant): string | undefined {
  const hidden = new Set<string>();
  if (variant.noCondstore) for (const c of ['CONDSTORE', 'QRESYNC']) hidden.add(c);
  if (variant.noMove || variant.noUidplus) hidden.add('MOVE');
  if (variant.noUidplus) hidden.add('UIDPLUS');
  if (!hidden.size) return undefined;
  return DOVECOT_CAPABILITIES.filter((c) => !hidden.has(c)).join(' ');
}

/** What the `noCondstore` rig advertises: Dovecot's list without CONDSTORE and QRESYNC. */
export const NO_CONDSTORE_CAPABILITY = advertisedCapabilities({
  ...DEFAULT_VARIANT,
  noCondstore: true,
}) as string;

/** Derives every path from the rig folder, so a serialized rig needs to carry only `dir`. */
export function rigPaths(dir: string): RigPaths {
  return {
    dir,
    certFile: `${dir}/tls/cert.pem`,
    keyFile: `${dir}/tls/key.pem`,
    doveConf: `${dir}/dovecot/dovecot.conf`,
    doveBase: `${dir}/dovecot/run`,
    doveState: `${dir}/dovecot/state`,
    doveLog: `${dir}/dovecot/dovecot.log`,
    passwdDir: `${dir}/dovecot/users`,
    mailRoot: `${dir}/mail`,
    postfixDir: `${dir}/postfix`,
    // Outside the config folder: `postfix check` wants everything in there owned by root.
    postfixQueue: `${dir}/postfix-queue`,
    postfixData: `${dir}/postfix-data`,
    postfixLog: `${dir}/postfix/postfix.log`,
  };
}

/** Dovecot 2.3 syntax; 2.4 renamed many of these settings, hence the version check at start. */
export function dovecotConf(
  p: RigPaths,
  ports: RigPorts,
  instanceName: string,
  variant: RigVariant = DEFAULT_VARIANT,
): string {
  const capability = advertisedCapabilities(variant);
  return `# Generated by e2e/mailserver/rig.ts for one test run; do not edit.
instance_name = ${instanceName}
base_dir = ${p.doveBase}
state_dir = ${p.doveState}
log_path = ${p.doveLog}
listen = ${RIG_HOST}
protocols = imap lmtp
# The default, stated because stopMailServers relies on it: a shutdown ends IMAP sessions too.
shutdown_clients = yes

ssl = yes
ssl_cert = <${p.certFile}
ssl_key = <${p.keyFile}
ssl_dh = </usr/share/dovecot/dh.pem

# Loopback counts as secure for Dovecot, so plaintext LOGIN works without TLS too; the
# clients under test still go through STARTTLS or implicit TLS.
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Bad-password tests must fail fast: no 2 s delay and no per-IP penalty from anvil. Dovecot still
# flushes failures on a 500 ms timer (a passdb "nodelay" field is dropped on a password mismatch).
auth_failure_delay = 0
# Failed logins are what one debugs in a rig; the log stays inside the test folder.
auth_verbose = yes

# One file per user: Dovecot checks a passwd-file for changes at most once a second, so a user
# appended to a shared file right after another login would be "unknown" for up to a second.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p.passwdDir}/%u
}
# Static userdb checks existence via the passdb, so LMTP rejects unknown users.
userdb {
  driver = static
  args = uid=mail gid=mail home=${p.mailRoot}/%d/%n
}
# Debian's mail user is uid 8, below the default of 500.
first_valid_uid = 8
mail_location = maildir:~/Maildir
# Throwaway test mail: fsync per delivery only slows the tests down.
mail_fsync = never
# 100k-message mailboxes exhaust the 256 MB default after a few IDLE wake-ups.
default_vsz_limit = 1G

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# Public folders every user sees (NAMESPACE lists them as shared), with per-user flags.
namespace public {
  type = public
  separator = /
  prefix = Public/
  location = maildir:${p.mailRoot}/public:INDEXPVT=~/Maildir/public-private
  subscriptions = no
  list = children
}

protocol imap {
  mail_plugins = $mail_plugins imap_zlib
  # Tests open many parallel connections for one user; the default is 10.
  mail_max_userip_connections = 100${
    capability
      ? `
  imap_capability = ${capability}`
      : ''
  }
}

service imap-login {
  inet_listener imap {
    address = ${RIG_HOST}
    port = ${ports.imapStarttls}
  }
  inet_listener imaps {
    address = ${RIG_HOST}
    port = ${ports.imapTls}
    ssl = yes
  }
  inet_listener imap-no-starttls {
    address = ${RIG_NO_STARTTLS_HOST}
    port = ${ports.imapNoStarttls}
  }
}

# A server that offers no STARTTLS, for clients that must refuse to go on without it. Plaintext
# LOGIN is allowed here: the client's address (127.0.0.1) differs from this one, so Dovecot would
# not count the connection as local and secure.
local ${RIG_NO_STARTTLS_HOST} {
  ssl = no
  disable_plaintext_auth = no
}

service lmtp {
  inet_listener lmtp {
    address = ${RIG_HOST}
    port = ${ports.lmtp}
  }
}

# Postfix authenticates SMTP clients against the same users (smtpd_sasl_type = dovecot).
service auth {
  inet_listener auth-postfix {
    address = ${RIG_HOST}
    port = ${ports.auth}
  }
}

service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/** main.cf: only example.test is deliverable; everything else goes to the error transport. */
export function postfixMainCf(p: RigPaths, ports: RigPorts): string {
  // No trailing "# comment" after a value: Postfix would treat it as part of the value.
  return `# Generated by e2e/mailserver/rig.ts for one test run; do not edit.
compatibility_level = 3.6
queue_directory = ${p.postfixQueue}
data_directory = ${p.postfixData}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
# Log to a file (through the postlog service): there is no syslog daemon on these machines.
maillog_file = ${p.postfixLog}
maillog_file_prefixes = ${p.dir}
myhostname = localhost
mydomain = localdomain
myorigin = ${RIG_DOMAIN}
mydestination =
inet_interfaces = ${RIG_HOST}
inet_protocols = ipv4
mynetworks = ${RIG_HOST}/32
smtp_dns_support_level = disabled
biff = no
append_dot_mydomain = no
readme_directory = no
alias_maps =
alias_database =
local_recipient_maps =

virtual_mailbox_domains = ${RIG_DOMAIN}
# Accept any local part (no table to rebuild when a test adds a user); Dovecot's LMTP
# rejects unknown users.
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:${RIG_HOST}:${ports.lmtp}
# Nothing may leave the machine.
default_transport = error:the Petrel mail rig delivers only to ${RIG_DOMAIN}
relay_transport = error:the Petrel mail rig delivers only to ${RIG_DOMAIN}
local_transport = error:the Petrel mail rig has no local delivery

smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:${RIG_HOST}:${ports.auth}
# Relaying needs AUTH; mynetworks alone must not open it, so "refuses relay" is testable.
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
# Every other local part is accepted at RCPT and bounced later by LMTP; this one is refused at RCPT,
# so that a client's handling of a 5xx reply to RCPT TO is testable.
smtpd_recipient_restrictions = check_recipient_access inline:{ { nobody@${RIG_DOMAIN} = 550 5.1.1 <nobody@${RIG_DOMAIN}>: Recipient address rejected: User unknown } }, permit
smtpd_tls_cert_file = ${p.certFile}
smtpd_tls_key_file = ${p.keyFile}
smtpd_tls_security_level = may
smtpd_banner = $myhostname ESMTP Petrel test rig
`;
}

/** master.cf: four SMTP listeners plus the internal services, none chrooted. */
export function postfixMasterCf(ports: RigPorts): string {
  // max_use=1: a fresh smtpd per connection, so a test that restarts Dovecot never meets an smtpd
  // still holding the old auth connection ("Temporary authentication failure").
  const submissionOpts =
    '-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o max_use=1';
  return `# Generated by e2e/mailserver/rig.ts for one test run; do not edit.
${RIG_HOST}:${ports.smtpPlain} inet n - n - - smtpd
${RIG_HOST}:${ports.smtpStarttls} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes ${submissionOpts}
${RIG_HOST}:${ports.smtpTls} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes ${submissionOpts}
${RIG_HOST}:${ports.smtpNoStarttls} inet n - n - - smtpd -o smtpd_tls_security_level=none ${submissionOpts}
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;
}
