import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { bearerToken, createBearerVerifier, type BearerResult } from '../../lib/access/index.js'
import type { BearerConfig } from '../../lib/config/index.js'

const ISSUER = 'https://login.example/tenant/v2.0'
const AUD = 'api://eas-gateway'
const NOW = Date.UTC(2026, 11, 4, 10, 0, 0)

interface Key { kid: string, privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'], jwk: JWK }
async function key (kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}
async function sign (k: Key, claims: JWTPayload, opts: { iat?: number, exp?: number, nbf?: number, alg?: string } = {}): Promise<string> {
  const s = Math.floor(NOW / 1000)
  let j = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? k.jwk.alg ?? 'RS256', kid: k.kid }).setIssuer(ISSUER).setAudience(AUD)
    .setIssuedAt(opts.iat ?? s - 60).setExpirationTime(opts.exp ?? s + 3600)
  if (opts.nbf !== undefined) j = j.setNotBefore(opts.nbf)
  return await j.sign(k.privateKey)
}

const CONFIG: BearerConfig = { issuer: ISSUER, audience: [AUD], jwksUrl: 'http://127.0.0.1:1/keys', clockTolerance: 60_000, userClaims: ['upn', 'preferred_username', 'oid'], jwksCacheMaxAge: 600_000 }

/** A loopback JWKS endpoint whose keys the test changes; counts fetches. */
async function jwksServer (keys: JWK[]): Promise<{ url: string, setKeys: (k: JWK[]) => void, hits: () => number, server: Server }> {
  let hits = 0
  let current = keys
  const server = createServer((_req, res) => { hits++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: current })) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, setKeys: (k) => { current = k }, hits: () => hits, server }
}

const refused = (r: BearerResult): string => r.ok ? 'ok' : r.reason

t.test('a local JWKS (jwksFile): valid, expired, not yet valid, wrong audience, wrong issuer, forged, malformed', async (t) => {
  const k1 = await key('k1')
  const other = await key('k1') // same kid, another key: a forgery
  const stranger = await key('k9')
  const v = createBearerVerifier({ config: { ...CONFIG, jwksUrl: undefined, jwksFile: 'jwks.json' }, jwks: { keys: [k1.jwk] }, now: () => NOW })
  const s = Math.floor(NOW / 1000)
  const ok = await v.verify(await sign(k1, { upn: 'alice@corp.example', oid: 'oid-1' }))
  t.match(ok, { ok: true, user: 'alice@corp.example', identity: `${ISSUER}\u0000oid-1`, expiresAt: (s + 3600) * 1000 })
  const cases: [string, Promise<string>, string][] = [
    ['expired (beyond the 60 s tolerance)', sign(k1, { upn: 'a' }, { iat: s - 7200, exp: s - 61 }), 'expired'],
    ['expired within tolerance is accepted', sign(k1, { upn: 'a' }, { iat: s - 7200, exp: s - 30 }), 'ok'],
    ['not yet valid', sign(k1, { upn: 'a' }, { nbf: s + 600 }), 'not_yet_valid'],
    ['wrong audience', new SignJWT({ upn: 'a' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('api://other').setExpirationTime(s + 60).sign(k1.privateKey), 'wrong_audience'],
    ['wrong issuer', new SignJWT({ upn: 'a' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://evil.example').setAudience(AUD).setExpirationTime(s + 60).sign(k1.privateKey), 'wrong_issuer'],
    ['forged: same kid, another key', sign(other, { upn: 'ceo@corp.example' }), 'bad_signature'],
    ['forged: a key the issuer never published', sign(stranger, { upn: 'ceo@corp.example' }), 'unknown_key'],
    ['no user claim', sign(k1, { sub: 'x' }), 'no_user_claim'],
    ['malformed', Promise.resolve('not.a.jwt'), 'malformed']
  ]
  for (const [name, token, want] of cases) t.equal(refused(await v.verify(await token)), want, name)
  const alg = await v.verify(`${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ upn: 'a', iss: ISSUER, aud: AUD })).toString('base64url')}.c2ln`)
  t.equal(refused(alg), 'bad_algorithm', 'HS256 (algorithm confusion) is refused')
  const bad = await v.verify('not.a.jwt')
  t.match(bad, { ok: false, error: { code: 'GW_ERR_POLICY_TOKEN_INVALID', statusCode: 401 } })
})

t.test('the user claim falls back: upn, then preferred_username, then oid', async (t) => {
  const k = await key('k1', 'ES256')
  const v = createBearerVerifier({ config: { ...CONFIG, jwksUrl: undefined, jwksFile: 'x' }, jwks: { keys: [k.jwk] }, now: () => NOW })
  t.match(await v.verify(await sign(k, { preferred_username: 'bob@corp.example', sub: 's' })), { ok: true, user: 'bob@corp.example', identity: `${ISSUER}\u0000s` })
  t.match(await v.verify(await sign(k, { oid: '00000000-1111' })), { ok: true, user: '00000000-1111' })
})

t.test('the clock is injected: the same token expires when time moves', async (t) => {
  const k = await key('k1')
  let now = NOW
  const v = createBearerVerifier({ config: { ...CONFIG, jwksUrl: undefined, jwksFile: 'x' }, jwks: { keys: [k.jwk] }, now: () => now })
  const token = await sign(k, { upn: 'a' })
  t.equal(refused(await v.verify(token)), 'ok')
  now += 3600_000 + 61_000
  t.equal(refused(await v.verify(token)), 'expired')
})

t.test('jwksFile: new keys after setKeys (the file was re-read)', async (t) => {
  const k1 = await key('k1')
  const k2 = await key('k2')
  const v = createBearerVerifier({ config: { ...CONFIG, jwksUrl: undefined, jwksFile: 'x' }, jwks: { keys: [k1.jwk] }, now: () => NOW })
  t.equal(refused(await v.verify(await sign(k2, { upn: 'a' }))), 'unknown_key')
  v.setKeys({ keys: [k1.jwk, k2.jwk] })
  t.equal(refused(await v.verify(await sign(k2, { upn: 'a' }))), 'ok')
})

t.test('jwksUrl: keys fetched once and cached; a new key id is fetched (rotation); keys unreachable', async (t) => {
  const k1 = await key('k1')
  const k2 = await key('k2')
  const srv = await jwksServer([k1.jwk])
  t.teardown(() => { srv.server.close() })
  const v = createBearerVerifier({ config: { ...CONFIG, jwksUrl: srv.url }, now: () => NOW, refetchCooldown: 0 })
  for (let i = 0; i < 5; i++) t.equal(refused(await v.verify(await sign(k1, { upn: 'a' }))), 'ok')
  t.equal(srv.hits(), 1, 'five verifications, one fetch')
  srv.setKeys([k1.jwk, k2.jwk])
  t.equal(refused(await v.verify(await sign(k2, { upn: 'a' }))), 'ok', 'the rotated-in key is fetched')
  t.equal(srv.hits(), 2)
  const down = createBearerVerifier({ config: { ...CONFIG, jwksUrl: 'http://127.0.0.1:1/keys' }, now: () => NOW })
  const r = await down.verify(await sign(k1, { upn: 'a' }))
  t.match(r, { ok: false, reason: 'keys_unavailable', error: { code: 'GW_ERR_POLICY_KEYS_UNAVAILABLE', statusCode: 503 } })
})

t.test('bearerToken reads only a well-formed Bearer header', async (t) => {
  t.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi')
  t.equal(bearerToken('bearer  abc.def-_~+/='), 'abc.def-_~+/=')
  t.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined)
  t.equal(bearerToken('Bearer'), undefined)
  t.equal(bearerToken('Bearer a b'), undefined)
  t.equal(bearerToken(undefined), undefined)
})
