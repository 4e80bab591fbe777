import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { GATEWAY_SCHEMA, parseDuration } from '../../lib/config/index.js'

const UNIT = fileURLToPath(new URL('../../deploy/systemd/eas-gateway.service', import.meta.url))
const text = readFileSync(UNIT, 'utf8')
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0
const skip = analyze ? false : 'systemd-analyze is not installed'

function run (...args: string[]): { status: number | null, out: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/** Every value of a directive, in file order. */
function values (key: string): string[] {
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1] ?? '')
}

t.test('systemd-analyze verify: the unit is clean (no warning at all)', { skip }, async (t) => {
  const r = run('verify', UNIT)
  t.equal(r.status, 0)
  t.equal(r.out.trim(), '', r.out)
  // The check can fail: a misspelt directive is reported.
  const dir = t.testdir({ 'eas-gateway.service': text.replace('NoNewPrivileges=yes', 'NoNewPrivilegez=yes') })
  t.match(run('verify', join(dir, 'eas-gateway.service')).out, /Unknown key 'NoNewPrivilegez'/)
})

t.test('systemd-analyze security --offline: exposure below 3', { skip }, async (t) => {
  const r = run('security', '--offline=true', '--no-pager', UNIT)
  const level = Number(/Overall exposure level for eas-gateway\.service: ([\d.]+)/.exec(r.out)?.[1])
  t.ok(level < 3, `exposure ${level}`)
  t.comment(`systemd-analyze security --offline: exposure ${level}`)
})

t.test('the unit runs serve on EAS_GATEWAY_CONFIG, checks first, and waits longer than the drain', async (t) => {
  t.match(values('ExecStart')[0], /gateway\.js serve$/)
  t.match(values('ExecStartPre')[0], /gateway\.js check$/, 'a refused config never starts')
  t.same(values('Environment').filter((e) => e.startsWith('EAS_GATEWAY_CONFIG=')), ['EAS_GATEWAY_CONFIG=/etc/eas-gateway/gateway.yaml'])
  const stop = parseDuration(values('TimeoutStopSec')[0] ?? '')
  const drain = GATEWAY_SCHEMA.fields.timeouts.fields.drainGrace.default
  t.ok('ms' in stop && stop.ms > drain, `TimeoutStopSec ${values('TimeoutStopSec')[0]} above the default drainGrace ${drain / 1000}s`)
  t.same(values('KillSignal'), ['SIGTERM'])
  t.same(values('ExecReload'), ['/bin/kill -HUP $MAINPID'], 'systemctl reload sends SIGHUP (TLS files and log level)')
  t.same(values('NoNewPrivileges'), ['yes'])
  t.same(values('ProtectSystem'), ['strict'])
  t.same(values('DynamicUser'), ['yes'], 'never root')
})
