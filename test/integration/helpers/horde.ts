/**
 * Where the Horde ActiveSync fixture (scripts/horde-up.sh) is, and how a request ended there.
 *
 * Settings come from, in order: environment variables (HORDE_EAS_URL, HORDE_TEST_USERS,
 * HORDE_HB_MIN, ...), the file horde-up.sh writes (`$HORDE_STATE_DIR/fixture.env`, default
 * /var/lib/horde-test/fixture.env), then the script's defaults.
 */
import { fixtureSettings, parseTestUsers } from './fixture-env.js'
import { open } from 'node:fs/promises'
import { easRequest } from './eas.js'
import type { SogoUser } from './sogo.js'

/** The Horde fixture's settings as the tests see them. */
export interface HordeFixture {
  /** `http://127.0.0.1:18180/Microsoft-Server-ActiveSync` (Apache + mod_php, no proxy in front). */
  easUrl: string;
  users: SogoUser[];
  alice: SogoUser;
  bob: SogoUser;
  mailDomain: string;
  dovecotConf: string;
  /** Apache's access log: `... "request" status bytes microseconds`, written when a request ends. */
  accessLog: string;
  /** activesync.ping.heartbeatmin / heartbeatmax / heartbeatdefault (s). */
  hbMin: number;
  hbMax: number;
  hbDefault: number;
  /** activesync.ping.waitinterval (s): how often a held Ping checks for changes. */
  waitInterval: number;
  /** Apache workers: concurrent EAS requests (held Pings included) beyond this queue. */
  workers: number;
  /** DeviceIds starting with this (any case) are always forced through provisioning. */
  provisioningPrefix: string;
}

/** Reads the fixture settings (cheap; no network). */
export function hordeFixture (): HordeFixture {
  const get = fixtureSettings(process.env.HORDE_STATE_DIR ?? '/var/lib/horde-test')
  const domain = get('HORDE_MAIL_DOMAIN', 'example.test')
  const users = parseTestUsers(get('HORDE_TEST_USERS', 'alice:secret bob:secret'), domain, 'HORDE_TEST_USERS')
  return {
    easUrl: get('HORDE_EAS_URL', `http://127.0.0.1:${get('HORDE_PORT', '18180')}/Microsoft-Server-ActiveSync`),
    users,
    alice: users[0]!,
    bob: users[1]!,
    mailDomain: domain,
    dovecotConf: get('HORDE_DOVECOT_CONF', '/etc/horde-test/dovecot.conf'),
    accessLog: get('HORDE_ACCESS_LOG', `${get('HORDE_LOG_DIR', '/var/log/horde-test')}/apache-access.log`),
    hbMin: Number(get('HORDE_HB_MIN', '5')),
    hbMax: Number(get('HORDE_HB_MAX', '600')),
    hbDefault: Number(get('HORDE_HB_DEFAULT', '480')),
    waitInterval: Number(get('HORDE_WAIT_INTERVAL', '5')),
    workers: Number(get('HORDE_WORKERS', '16')),
    provisioningPrefix: get('HORDE_PROVISIONING_PREFIX', 'prov'),
  }
}

/** Why Horde is not usable (an authenticated EAS OPTIONS is not 200 within `timeoutMs`), or undefined. */
export async function hordeDownReason (timeoutMs = 20_000): Promise<string | undefined> {
  const f = hordeFixture()
  try {
    const res = await easRequest({ baseUrl: f.easUrl, user: f.alice.user, password: f.alice.password, timeoutMs })
    if (res.status !== 200) return `EAS OPTIONS ${f.easUrl} answered HTTP ${res.status}`
    if (!String(res.headers['ms-asprotocolversions'] ?? '').includes('16.0')) return `EAS OPTIONS ${f.easUrl} does not offer 16.0 (not Horde?)`
    return undefined
  } catch (err) {
    return `EAS OPTIONS ${f.easUrl} failed: ${(err as Error).message}`
  }
}

/** A request as Horde's Apache logged it when it ended. */
export interface HordeAccessEntry {
  /** Request line, e.g. `POST /Microsoft-Server-ActiveSync?Cmd=Ping&...`. */
  request: string;
  status: number;
  /** Bytes of the body sent (0 for `-`). */
  bytes: number;
  /** How long Apache's worker served it (`%D`), in milliseconds. */
  durationMs: number;
  line: string;
}

/**
 * The Apache access-log entries (last 1 MiB) whose request names `deviceId`, oldest first;
 * undefined when the log cannot be read. Apache writes an entry when a request ends, so the
 * duration is how long a Horde worker was busy with it.
 */
export async function hordeAccessEntries (deviceId: string): Promise<HordeAccessEntry[] | undefined> {
  let text: string
  try {
    const fh = await open(hordeFixture().accessLog, 'r')
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
  const out: HordeAccessEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.includes(`DeviceId=${deviceId}`)) continue
    const m = /"([^"]*)" (\d{3}) (\d+|-) (\d+)$/.exec(line)
    if (m) out.push({ request: m[1]!, status: Number(m[2]), bytes: m[3] === '-' ? 0 : Number(m[3]), durationMs: Number(m[4]) / 1000, line })
  }
  return out
}
