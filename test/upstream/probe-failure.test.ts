import t from 'tap'
import { classifyConnectError } from '../../lib/upstream/index.js'

t.test('DNS, refused, connect timeout and TLS are told apart by code', async (t) => {
  const cases: [string, string | undefined][] = [
    ['ENOTFOUND', 'dns'], ['EAI_AGAIN', 'dns'], ['EAI_NONAME', 'dns'], ['EAI_FAIL', 'dns'],
    ['ECONNREFUSED', 'refused'], ['EHOSTUNREACH', 'refused'], ['ENETUNREACH', 'refused'], ['EADDRNOTAVAIL', 'refused'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout'], ['ETIMEDOUT', 'connect_timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'], ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'], ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'], ['EPROTO', 'tls'],
    ['ECONNRESET', undefined], ['UND_ERR_SOCKET', undefined]
  ]
  for (const [code, want] of cases) t.equal(classifyConnectError(Object.assign(new Error('x'), { code })), want, code)
})

t.test('a code on the cause counts (undici wraps some errors); no code is not a connect failure', async (t) => {
  t.equal(classifyConnectError(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })), 'dns')
  t.equal(classifyConnectError(new Error('plain')), undefined)
  t.equal(classifyConnectError(null), undefined)
})
