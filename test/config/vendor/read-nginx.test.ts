import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readVendorConfig, type VendorRead } from '../../../lib/config/index.js'

// Every file here is also checked with `nginx -t` (test/config/vendor/vendor-syntax.test.ts).
const DIR = fileURLToPath(new URL('../../fixtures/vendor/nginx/', import.meta.url))
const WANTED = ['proxy_read_timeout', 'proxy_send_timeout', 'proxy_connect_timeout']
const io = { readFile: async (p: string) => await readFile(p, 'utf8'), listFiles: async (d: string) => await readdir(d) }

async function read (name: string, match?: string): Promise<VendorRead> {
  const file = join(DIR, name)
  return await readVendorConfig('nginx', file, await readFile(file, 'utf8'), WANTED, match, io)
}

/** 1-based line and column of `needle` in a fixture. */
async function at (name: string, needle: string, nth = 0): Promise<{ line: number, col: number }> {
  const lines = (await readFile(join(DIR, name), 'utf8')).split('\n')
  let seen = 0
  for (const [i, l] of lines.entries()) {
    const c = l.indexOf(needle)
    if (c >= 0 && seen++ === nth) return { line: i + 1, col: c + 1 }
  }
  throw new Error(`${needle} not in ${name}`)
}

t.test('directives are inherited from the innermost level that sets them, each with its position', async (t) => {
  const r = await read('inherit.conf')
  t.same(r.diagnostics, [])
  const v = r.hop?.values
  t.match(v?.get('proxy_read_timeout'), { raw: '2h', at: await at('inherit.conf', '2h;'), key: await at('inherit.conf', 'proxy_read_timeout') })
  t.match(v?.get('proxy_send_timeout'), { raw: '90m', at: await at('inherit.conf', '90m') }, 'the server overrides http')
  t.equal(v?.get('proxy_connect_timeout'), undefined, 'unset: the vendor default applies')
  t.match(r.hop?.block, await at('inherit.conf', 'location'), 'a missing setting belongs to the location')
  t.equal(r.hop?.balancing?.value, 'single', 'proxy_pass to one address')
})

t.test('nginx location rules: regex over plain prefix, ^~ over regex, = over all, nested locations', async (t) => {
  const read30 = await read('locations.conf', 'regex.example/Microsoft-Server-ActiveSync')
  t.equal(read30.hop?.values.get('proxy_read_timeout')?.raw, '30s', 'a matching regex beats the longest plain prefix')
  t.match(read30.hop?.described, /^server regex\.example › location ~\* \^\/microsoft-server-activesync$/)
  t.equal((await read('locations.conf', 'caret.example/Microsoft-Server-ActiveSync')).hop?.values.get('proxy_read_timeout')?.raw, '40s', '^~ stops the regex search')
  t.equal((await read('locations.conf', 'eu.caret.example/Microsoft-Server-ActiveSync')).hop?.values.get('proxy_read_timeout')?.raw, '40s', 'wildcard server_name')
  t.equal((await read('locations.conf', 'exact.example')).hop?.values.get('proxy_read_timeout')?.raw, '60s', '= wins; the default path is the EAS one')
  const nested = await read('locations.conf', 'nested.example/Microsoft-Server-ActiveSync')
  t.equal(nested.hop?.values.get('proxy_read_timeout')?.raw, '80s', 'inherited from the outer location')
  t.equal(nested.hop?.values.get('proxy_send_timeout')?.raw, '90s', 'the inner location that matches')
  t.equal((await read('locations.conf')).hop?.values.get('proxy_read_timeout')?.raw, '30s', 'no host: the first server that serves the path')
})

t.test('a path nothing serves is GW0013', async (t) => {
  const r = await read('locations.conf', 'nothing.example/Microsoft-Server-ActiveSync')
  t.equal(r.hop, undefined)
  t.match(r.diagnostics, [{ code: 'GW0013', message: /no server for host nothing\.example has a location that serves \/Microsoft-Server-ActiveSync/ }])
})

t.test('includes (globs in name order) are read relative to the main file; values point into them', async (t) => {
  const r = await read('main.conf', 'mail.example')
  t.same(r.diagnostics, [])
  const snippet = join(DIR, 'snippets/eas-timeouts.conf')
  t.match(r.hop?.values.get('proxy_read_timeout'), { raw: '3660s', at: { file: snippet, line: 1, col: 20 } }, 'quotes removed, position at the quote')
  t.match(r.hop?.values.get('proxy_send_timeout'), { raw: '61m', at: { file: snippet, line: 2 } })
  t.same([...r.texts.keys()].map((f) => f.slice(DIR.length)).sort(), ['main.conf', 'sites/a-static.conf', 'sites/b-mail.conf', 'snippets/eas-timeouts.conf'])
  const missing = await readVendorConfig('nginx', join(DIR, 'x.conf'), 'events {}\nhttp {\n  include nope.conf;\n}\n', WANTED, undefined, io)
  t.match(missing.diagnostics, [{ code: 'GW0010', line: 3, col: 3, message: /cannot read .*nope\.conf: ENOENT/ }, { code: 'GW0013' }])
})

t.test('syntax errors nginx -t refuses are GW0012 at the offending place', async (t) => {
  const unbalanced = await read('invalid/unbalanced.conf')
  t.match(unbalanced.diagnostics, [{ code: 'GW0012', ...(await at('invalid/unbalanced.conf', '{', 1)), message: /this "\{" is not closed/ }])
  const semi = await read('invalid/no-semicolon.conf')
  t.match(semi.diagnostics[0], { code: 'GW0012', message: /directive "proxy_read_timeout" has no ";"/ })
  const quote = await readVendorConfig('nginx', 'q.conf', 'http { server_name "unterminated; }\n', WANTED, undefined, io)
  t.match(quote.diagnostics[0], { code: 'GW0012', line: 1, col: 20, message: /unterminated double quote/ })
})
