import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERRORS, GatewayError, isGatewayError } from '../lib/errors.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const documented = new Set([...readme.matchAll(/`(GW_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1]))

t.test('every catalog code is documented in README § Error codes', async (t) => {
  for (const code of Object.keys(ERRORS)) t.ok(documented.has(code), `${code} in README`)
})

t.test('every documented code exists in the catalog', async (t) => {
  for (const code of documented) t.ok(code !== undefined && code in ERRORS, `${code} in lib/errors.ts`)
})

t.test('GatewayError carries code, status, message and cause', async (t) => {
  const cause = new Error('inner')
  const e = new GatewayError('GW_ERR_UPSTREAM_DNS', 'mail.invalid', { cause })
  t.equal(e.code, 'GW_ERR_UPSTREAM_DNS')
  t.equal(e.statusCode, 502)
  t.equal(e.message, 'upstream host name does not resolve: mail.invalid')
  t.equal(e.cause, cause)
  t.ok(isGatewayError(e))
  t.ok(isGatewayError(e, 'GW_ERR_UPSTREAM_DNS'))
  t.notOk(isGatewayError(e, 'GW_ERR_UPSTREAM_RESET'))
  t.notOk(isGatewayError(new Error('x')))
})
