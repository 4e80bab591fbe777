import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readVendorConfig, type VendorRead } from '../../../lib/config/index.js'

// Every file here is also checked with `haproxy -c` (test/config/vendor/vendor-syntax.test.ts).
const DIR = fileURLToPath(new URL('../../fixtures/vendor/haproxy/', import.meta.url))
const WANTED = ['timeout client', 'timeout server', 'timeout tunnel', 'timeout http-keep-alive', 'timeout connect']
const io = { readFile: async (p: string) => await readFile(p, 'utf8') }

async function read (name: string, match?: string): Promise<VendorRead> {
  const file = join(DIR, name)
  return await readVendorConfig('haproxy', file, await readFile(file, 'utf8'), WANTED, match, io)
}
async function lineOf (name: string, needle: string): Promise<number> {
  return (await readFile(join(DIR, name), 'utf8')).split('\n').findIndex((l) => l.includes(needle)) + 1
}

t.test('use_backend rules with ACLs, negation, anonymous ACLs and ||; device side from the frontend, server side from the backend', async (t) => {
  const r = await read('routing.cfg', 'mail.example/Microsoft-Server-ActiveSync')
  t.same(r.diagnostics, [])
  t.equal(r.hop?.described, 'frontend www › backend eas')
  t.match(r.hop?.values.get('timeout server'), { raw: '62m', at: { line: await lineOf('routing.cfg', 'timeout server 62m'), col: 20 } })
  t.match(r.hop?.values.get('timeout client'), { raw: '61m', at: { line: await lineOf('routing.cfg', 'timeout client 61m') } }, 'from the frontend\'s defaults (from base)')
  t.equal(r.hop?.values.get('timeout tunnel'), undefined)
  t.equal(r.hop?.missingAt?.get('timeout tunnel')?.line, await lineOf('routing.cfg', 'backend eas from'), 'unset server-side timeouts belong to the backend')
  t.equal(r.hop?.missingAt?.get('timeout http-keep-alive')?.line, await lineOf('routing.cfg', 'frontend www'), 'unset device-side ones to the frontend')
  t.match(r.hop?.abortOnClose, { value: false, at: { line: await lineOf('routing.cfg', 'no option abortonclose') } })
  t.match(r.hop?.balancing, { value: 'least-connections' })
})

t.test('another host takes another rule: defaults from a named chain', async (t) => {
  const r = await read('routing.cfg', 'other.example/Microsoft-Server-ActiveSync')
  t.equal(r.hop?.described, 'frontend www › backend legacy')
  t.match(r.hop?.values.get('timeout server'), { raw: '10s', at: { line: await lineOf('routing.cfg', 'timeout server 10s') } }, 'defaults short')
  t.match(r.hop?.abortOnClose, { value: true, at: { line: await lineOf('routing.cfg', 'option abortonclose') } }, 'short inherits base')
  t.match(r.hop?.balancing, { value: 'round-robin' })
  t.equal((await read('routing.cfg', 'mail.example/owa')).hop?.described, 'frontend www › backend owa')
  t.equal((await read('routing.cfg', 'mail.example/')).hop?.described, 'frontend www › backend static', 'default_backend')
})

t.test('a listen section is frontend and backend; an anonymous defaults applies', async (t) => {
  const r = await read('listen.cfg')
  t.equal(r.hop?.described, 'listen activesync')
  t.equal(r.hop?.values.get('timeout server')?.raw, '90s')
  t.equal(r.hop?.values.get('timeout client')?.raw, '20s')
  t.match(r.hop?.balancing, { value: 'single' })
})

t.test('GW0012 for what haproxy -c refuses; GW0013 when nothing routes the path', async (t) => {
  t.match((await read('invalid/outside-section.cfg')).diagnostics[0], { code: 'GW0012', line: 1, col: 1, message: /"timeout" outside any section/ })
  t.match((await read('invalid/unterminated-quote.cfg')).diagnostics[0], { code: 'GW0012', line: 7, message: /unterminated double quote/ })
  const none = await readVendorConfig('haproxy', 'x.cfg', 'defaults\n  mode http\nbackend b\n  server s 127.0.0.1:1\n', WANTED, undefined, io)
  t.match(none.diagnostics, [{ code: 'GW0013', message: /no frontend or listen section routes/ }])
})
