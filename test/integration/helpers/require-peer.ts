/**
 * `requirePeer`: guard an integration test on the external programs it needs.
 *
 * When a peer is missing the test FAILS if `process.env.CI` is set (CI must have
 * run the install scripts), and is otherwise skipped with a loud message saying
 * exactly which command fixes it.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { findExecutable, type TapLike } from './proc.js'
import { hordeDownReason, hordeFixture } from './horde.js'
import { dovecotLdaPath, sogoDownReason, sogoFixture } from './sogo.js'

/** Peers a test can require. */
export type PeerName =
  | 'sogo'
  | 'dovecot-lda'
  | 'horde'
  | 'horde-lda'
  | 'libwbxml'
  | 'nginx'
  | 'haproxy'
  | 'prometheus'
  | 'wrk'
  | 'xxd'
  | 'gateway'

/** Repository root (this file is test/integration/helpers/require-peer.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

const SOGO_FIX = 'bash scripts/sogo-up.sh   (as root; installs SOGo + PostgreSQL + Dovecot on first use, ~25 s)'
const HORDE_FIX = 'bash scripts/horde-up.sh   (as root; installs Horde + Apache mod_php + Dovecot on first use, ~35-55 s)'
const PEERS_FIX = 'bash scripts/peers-install.sh   (as root; apt installs haproxy nginx-light prometheus wrk libwbxml2-utils xxd)'

interface PeerCheck {
  fix: string;
  /** Resolves a reason when missing, undefined when available. */
  check: () => Promise<string | undefined> | string | undefined;
}

const binary = (name: string): (() => string | undefined) => () =>
  findExecutable(name) ? undefined : `${name} is not installed`

const PEERS: Record<PeerName, PeerCheck> = {
  sogo: { fix: SOGO_FIX, check: () => sogoDownReason() },
  'dovecot-lda': {
    fix: SOGO_FIX,
    check: () => {
      if (!dovecotLdaPath()) return 'dovecot-lda is not installed'
      const conf = sogoFixture().dovecotConf
      if (!existsSync(conf)) return `${conf} does not exist`
      if (process.getuid?.() !== 0) return 'mail delivery with dovecot-lda needs root'
      return undefined
    },
  },
  horde: { fix: HORDE_FIX, check: () => hordeDownReason() },
  'horde-lda': {
    fix: HORDE_FIX,
    check: () => {
      if (!dovecotLdaPath()) return 'dovecot-lda is not installed'
      const conf = hordeFixture().dovecotConf
      if (!existsSync(conf)) return `${conf} does not exist`
      if (process.getuid?.() !== 0) return 'mail delivery with dovecot-lda needs root'
      return undefined
    },
  },
  libwbxml: {
    fix: PEERS_FIX,
    check: () => (findExecutable('xml2wbxml') && findExecutable('wbxml2xml') ? undefined : 'xml2wbxml/wbxml2xml (libwbxml2-utils) are not installed'),
  },
  nginx: { fix: PEERS_FIX, check: binary('nginx') },
  haproxy: { fix: PEERS_FIX, check: binary('haproxy') },
  prometheus: { fix: PEERS_FIX, check: binary('prometheus') },
  wrk: { fix: PEERS_FIX, check: binary('wrk') },
  xxd: { fix: PEERS_FIX, check: binary('xxd') },
  gateway: {
    fix: 'npm run build   (compiles dist/bin/gateway.js)',
    check: () => (existsSync(`${REPO_ROOT}dist/bin/gateway.js`) ? undefined : 'dist/bin/gateway.js does not exist'),
  },
}

const cache = new Map<PeerName, Promise<string | undefined>>()

/** Why `name` is unavailable, or undefined when it is usable (results are cached per process). */
export function peerMissingReason (name: PeerName): Promise<string | undefined> {
  let p = cache.get(name)
  if (!p) {
    p = Promise.resolve().then(() => PEERS[name].check())
    cache.set(name, p)
  }
  return p
}

/**
 * Checks that every named peer is available. Resolves true when all are.
 * Otherwise: with `CI` set, records a failing assertion; without it, records a
 * skipped assertion and prints a loud banner with the fix. Either way it
 * resolves false and the caller should return without testing:
 *
 * ```ts
 * t.test('ping through haproxy', async (t) => {
 *   if (!(await requirePeer(t, ['sogo', 'haproxy']))) return;
 *   ...
 * });
 * ```
 */
export async function requirePeer (t: TapLike, name: PeerName | PeerName[]): Promise<boolean> {
  const names = Array.isArray(name) ? name : [name]
  const missing: Array<{ name: PeerName; reason: string; fix: string }> = []
  for (const n of names) {
    const reason = await peerMissingReason(n)
    if (reason) missing.push({ name: n, reason, fix: PEERS[n].fix })
  }
  if (missing.length === 0) return true
  const fixes = [...new Set(missing.map((m) => m.fix))]
  const ci = !!process.env.CI
  const lines = [
    `${ci ? 'FAILING (CI is set)' : 'SKIPPING'}: required peer${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m.name}"`).join(', ')} not available`,
    ...missing.map((m) => `  - ${m.name}: ${m.reason}`),
    'To fix, run from the repository root:',
    ...fixes.map((f) => `    ${f}`),
  ]
  const bar = '#'.repeat(78)
  const banner = [bar, ...lines.map((l) => `# ${l}`), bar].join('\n')
  if (ci) {
    t.fail(`required peers missing: ${missing.map((m) => m.name).join(', ')}`, {
      diagnostic: true,
      found: missing.map((m) => `${m.name}: ${m.reason}`),
      fix: fixes,
    })
  } else {
    process.stderr.write(`\n${banner}\n`)
    t.comment(banner)
    t.pass(`peers ${names.join(', ')}`, {
      skip: `missing ${missing.map((m) => m.name).join(', ')}; fix: ${fixes.join(' ; ')}`,
    })
  }
  return false
}
