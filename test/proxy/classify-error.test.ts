import t from 'tap'
import { classifyUpstreamError } from '../../lib/proxy/index.js'

const err = (code: string, viaCause = false): Error => Object.assign(new Error('x'), viaCause ? { cause: { code } } : { code })

t.test('undici and socket error codes map to one outcome and a reason', async (t) => {
  const table: [string, string, string][] = [
    ['ENOTFOUND', 'upstream_unreachable', 'dns'],
    ['EAI_AGAIN', 'upstream_unreachable', 'dns'],
    ['ECONNREFUSED', 'upstream_unreachable', 'refused'],
    ['EHOSTUNREACH', 'upstream_unreachable', 'refused'],
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream_unreachable', 'connect_timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream_timeout', 'timeout'],
    ['UND_ERR_SOCKET', 'upstream_reset', 'reset'],
    ['ECONNRESET', 'upstream_reset', 'reset'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'upstream_reset', 'reset'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'upstream_unreachable', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'upstream_unreachable', 'tls'],
    ['ERR_SSL_SOMETHING_NEW', 'upstream_unreachable', 'tls'],
    ['SOMETHING_ELSE', 'upstream_reset', 'other']
  ]
  for (const [code, outcome, reason] of table) {
    t.same(classifyUpstreamError(err(code)), { outcome, reason, code }, code)
  }
})

t.test('the code may sit on the cause; no code at all is other', async (t) => {
  t.same(classifyUpstreamError(err('ECONNREFUSED', true)), { outcome: 'upstream_unreachable', reason: 'refused', code: 'ECONNREFUSED' })
  t.same(classifyUpstreamError(new Error('no code')), { outcome: 'upstream_reset', reason: 'other', code: 'UNKNOWN' })
  t.same(classifyUpstreamError(null), { outcome: 'upstream_reset', reason: 'other', code: 'UNKNOWN' })
})

// regression: #6 — the proxy and the pool share one connect-failure table; an unknown CA is TLS
t.test('OpenSSL verification codes are tls failures', async (t) => {
  for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
    t.match(classifyUpstreamError(Object.assign(new Error(code), { code })), { outcome: 'upstream_unreachable', reason: 'tls', code }, code)
  }
  t.match(classifyUpstreamError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), { outcome: 'upstream_timeout', reason: 'timeout' })
  t.match(classifyUpstreamError(new Error('no code')), { outcome: 'upstream_reset', reason: 'other', code: 'UNKNOWN' })
})

// regression: #9 — a malformed upstream response was upstream_reset with code UNKNOWN
t.test('a response undici\'s parser refused is bad_response; running out of descriptors is fd_exhausted', async (t) => {
  const parser = Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { name: 'HTTPParserError', code: undefined })
  t.same(classifyUpstreamError(parser), { outcome: 'upstream_reset', reason: 'bad_response', code: 'HTTPParserError' })
  t.same(classifyUpstreamError(err('HPE_INVALID_CONSTANT')), { outcome: 'upstream_reset', reason: 'bad_response', code: 'HPE_INVALID_CONSTANT' })
  t.same(classifyUpstreamError(err('EMFILE')), { outcome: 'upstream_unreachable', reason: 'fd_exhausted', code: 'EMFILE' })
  t.same(classifyUpstreamError(err('ENFILE', true)), { outcome: 'upstream_unreachable', reason: 'fd_exhausted', code: 'ENFILE' })
})
