/**
 * Where the SOGo ActiveSync fixture (scripts/sogo-up.sh) is, and mail delivery
 * into its Dovecot.
 *
 * Settings come from, in order: environment variables (SOGO_EAS_URL, SOGO_TEST_USERS,
 * SOGO_DOVECOT_CONF, SOGO_MAX_PING, ...), the file sogo-up.sh writes
 * (`$SOGO_STATE_DIR/fixture.env`, default /var/lib/sogo-test/fixture.env), then
 * the documented defaults.
 */
import { fixtureSettings, parseTestUsers } from './fixture-env.js'
import { open } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { easRequest } from './eas.js'
import { findExecutable, runCommand } from './proc.js'

/** A test account of the fixture. */
export interface SogoUser {
  user: string;
  password: string;
  /** user@SOGO_MAIL_DOMAIN */
  email: string;
}

/** The fixture's settings as the tests see them. */
export interface SogoFixture {
  /** EAS base URL through nginx (or direct when started with SOGO_WITH_NGINX=0). */
  easUrl: string;
  /** sogod's own EAS URL (`/SOGo/Microsoft-Server-ActiveSync`; sogod closes every connection). */
  directUrl: string;
  users: SogoUser[];
  /** The two default accounts (alice, bob), or the first two of SOGO_TEST_USERS. */
  alice: SogoUser;
  bob: SogoUser;
  dovecotConf: string;
  imapPort: number;
  /** SOGoMaximumPingInterval (s). */
  maxPing: number;
  /** SOGoMaximumSyncInterval (s). */
  maxSync: number;
  /** SOGoInternalSyncInterval (s): Ping/Sync re-check period and Ping heartbeat floor. */
  internalSync: number;
  /** sogod workers: concurrent long-polls beyond this block everything else. */
  workers: number;
  /** Access log of the fixture's nginx (:18080), the hop right in front of sogod. */
  nginxAccessLog: string;
}

/** Reads the fixture settings (cheap; no network). */
export function sogoFixture (): SogoFixture {
  const get = fixtureSettings(process.env.SOGO_STATE_DIR ?? '/var/lib/sogo-test')
  const domain = get('SOGO_MAIL_DOMAIN', 'example.test')
  const users = parseTestUsers(get('SOGO_TEST_USERS', 'alice:secret bob:secret'), domain, 'SOGO_TEST_USERS')
  const httpPort = get('SOGO_HTTP_PORT', '18080')
  const sogoPort = get('SOGO_PORT', '20000')
  return {
    easUrl: get('SOGO_EAS_URL', `http://127.0.0.1:${httpPort}/Microsoft-Server-ActiveSync`),
    directUrl: get('SOGO_DIRECT_URL', `http://127.0.0.1:${sogoPort}/SOGo/Microsoft-Server-ActiveSync`),
    users,
    alice: users[0]!,
    bob: users[1]!,
    dovecotConf: get('SOGO_DOVECOT_CONF', '/etc/sogo-test/dovecot.conf'),
    imapPort: Number(get('SOGO_IMAP_PORT', '10143')),
    maxPing: Number(get('SOGO_MAX_PING', '600')),
    maxSync: Number(get('SOGO_MAX_SYNC', '600')),
    internalSync: Number(get('SOGO_INTERNAL_SYNC', '5')),
    workers: Number(get('SOGO_WORKERS', '8')),
    nginxAccessLog: `${get('SOGO_LOG_DIR', '/var/log/sogo-test')}/nginx-access.log`,
  }
}

/**
 * Whether SOGo answers an authenticated EAS OPTIONS with 200 within `timeoutMs`
 * (resolves a reason string when not, undefined when it is up).
 */
export async function sogoDownReason (timeoutMs = 10_000): Promise<string | undefined> {
  const f = sogoFixture()
  try {
    const res = await easRequest({ baseUrl: f.easUrl, user: f.alice.user, password: f.alice.password, timeoutMs })
    if (res.status !== 200) return `EAS OPTIONS ${f.easUrl} answered HTTP ${res.status}`
    if (!res.headers['ms-asprotocolversions']) return `EAS OPTIONS ${f.easUrl} lacks MS-ASProtocolVersions`
    return undefined
  } catch (err) {
    return `EAS OPTIONS ${f.easUrl} failed: ${(err as Error).message}`
  }
}

/** Path of Dovecot's local delivery agent (not on PATH on Debian). */
export function dovecotLdaPath (): string | undefined {
  return findExecutable('dovecot-lda', ['/usr/lib/dovecot', '/usr/libexec/dovecot'])
}

/** A message for {@link deliverMail}. */
export interface MailMessage {
  /** Recipient account (fixture user name, e.g. "alice"). */
  to: string;
  subject?: string;
  body?: string;
  from?: string;
  /** Target mailbox (default INBOX). A new mailbox also needs {@link primeMailbox}. */
  mailbox?: string;
  /** The Dovecot instance to deliver into (default: the SOGo fixture's; the Horde fixture has its own). */
  dovecotConf?: string;
  /** Mail domain of the addresses (default: the SOGo fixture's). */
  domain?: string;
}

/**
 * Delivers a message, unread, through `dovecot-lda` (as sogo.md recommends;
 * IMAP APPEND would store it \Seen). Resolves the Message-ID. Needs root.
 */
export async function deliverMail (msg: MailMessage): Promise<string> {
  const f = sogoFixture()
  const lda = dovecotLdaPath()
  if (!lda) throw new Error('dovecot-lda not found: run `bash scripts/sogo-up.sh`')
  const domain = msg.domain ?? f.users.find((u) => u.user === msg.to)?.email.split('@')[1] ?? 'example.test'
  const messageId = `<${Date.now()}.${randomBytes(6).toString('hex')}@eas-it.${domain}>`
  const eml = [
    `From: ${msg.from ?? `sender@${domain}`}`,
    `To: ${msg.to}@${domain}`,
    `Subject: ${msg.subject ?? 'integration test'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    msg.body ?? 'Hello from the eas-gateway integration tests.',
    '',
  ].join('\r\n')
  const args = ['-c', msg.dovecotConf ?? f.dovecotConf, '-d', msg.to]
  if (msg.mailbox) args.push('-m', msg.mailbox)
  const r = await runCommand(lda, args, { input: eml, timeoutMs: 15_000 })
  if (r.code !== 0) throw new Error(`dovecot-lda -d ${msg.to} failed (exit ${r.code}): ${r.stderr.trim()}`)
  return messageId
}

/**
 * Opens `mailbox` once with QRESYNC enabled so that Dovecot reports
 * HIGHESTMODSEQ on plain SELECTs from then on; SOGo's EAS mail sync needs
 * that (sogo.md gotcha 1). sogo-up.sh does it for existing mailboxes; call this
 * for mailboxes a test creates. Needs root.
 */
export async function primeMailbox (user: string, mailbox: string): Promise<void> {
  const f = sogoFixture()
  const doveadm = findExecutable('doveadm')
  if (!doveadm) throw new Error('doveadm not found: run `bash scripts/sogo-up.sh`')
  const quoted = `"${mailbox.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  const script = `a ENABLE QRESYNC\r\ns SELECT ${quoted}\r\nz LOGOUT\r\n`
  const r = await runCommand(doveadm, ['-c', f.dovecotConf, 'exec', 'imap', '-u', user], { input: script, timeoutMs: 15_000 })
  const out = r.stdout.toString('utf8')
  if (r.code !== 0 || !/^s OK/m.test(out)) throw new Error(`priming ${user}/${mailbox} failed: ${out}${r.stderr}`)
}

/** A request as the fixture's nginx logged it (combined format). */
export interface SogoAccessEntry {
  /** Request line, e.g. `POST /Microsoft-Server-ActiveSync?Cmd=Ping&...`. */
  request: string;
  /** HTTP status nginx logged: 499 when its client (the gateway) closed before the answer. */
  status: number;
  line: string;
}

/**
 * The fixture nginx's access-log entries (from the last 1 MiB of the log) whose request names
 * `deviceId`, oldest first; undefined when the log cannot be read (e.g. not root). nginx
 * writes an entry when a request ends, so this shows how each request ended on the hop
 * between the gateway and sogod.
 */
export async function sogoAccessEntries (deviceId: string): Promise<SogoAccessEntry[] | undefined> {
  let text: string
  try {
    const fh = await open(sogoFixture().nginxAccessLog, 'r')
    try {
      const { size } = await fh.stat()
      const len = Math.min(size, 1 << 20)
      const buf = Buffer.alloc(len)
      await fh.read(buf, 0, len, size - len)
      text = buf.toString('utf8')
    } finally {
      await fh.close()
    }
  } catch {
    return undefined
  }
  const out: SogoAccessEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.includes(`DeviceId=${deviceId}`)) continue
    const m = /"([^"]*)" (\d{3}) /.exec(line)
    if (m) out.push({ request: m[1]!, status: Number(m[2]), line })
  }
  return out
}
