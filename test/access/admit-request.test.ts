import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { Registry } from 'prom-client'
import { admitRequest, basicUser, createAccessController, createBearerVerifier, credentialDigest, type AdmitInput } from '../../lib/access/index.js'
import { decodeWbxml } from '../../lib/eas/index.js'
import { createMetrics, metricNames } from '../../lib/metrics/index.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

const NOW = Date.UTC(2026, 11, 4, 10)
const basic = (user: string, pass = 'pw'): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const FOLDERSYNC: AdmitInput = { method: 'POST', command: 'FolderSync', deviceId: 'DEV1', deviceType: 'iPhone', userAgent: 'Apple-iPhone/1', protocolVersion: '14.1' }

async function fixture (t: { teardown: (fn: () => unknown) => void }): Promise<{ deps: Parameters<typeof admitRequest>[1], token: (claims: object, exp?: number) => Promise<string>, registry: Registry }> {
  const dir = await mkdtemp(join(tmpdir(), 'eas-admit-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'devices.yaml')
  await writeFile(file, 'users: { blocked: [mallory@corp.example] }\nrules:\n  - { name: mallory, match: { users: blocked }, action: block }\n')
  const controller = createAccessController({ policyFile: file, readFile: async (p) => (await import('node:fs/promises')).readFile(p, 'utf8'), timers: fakeClock(), now: () => NOW })
  await controller.reload()
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const verifier = createBearerVerifier({
    config: { issuer: 'https://idp.example', audience: ['eas'], jwksFile: 'x', clockTolerance: 0, userClaims: ['upn', 'preferred_username', 'oid'], jwksCacheMaxAge: 60_000 },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] },
    now: () => NOW
  })
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: 't', defaultMetrics: false })
  const token = async (claims: object, exp = NOW / 1000 + 3600): Promise<string> =>
    await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('https://idp.example').setAudience('eas').setExpirationTime(exp).sign(privateKey)
  return { deps: { controller, verifier, metrics }, token, registry }
}

t.test('without a policy or auth.bearer: everything forwards as before', async (t) => {
  const a = await admitRequest({ ...FOLDERSYNC, authorization: 'Bearer abc.def.ghi' }, {})
  t.match(a, { kind: 'forward', decision: { rule: 'none' }, identity: credentialDigest('Bearer abc.def.ghi') })
  t.equal((a as { user?: string }).user, undefined, 'an unverified token names no user')
})

t.test('Basic: the name decides (narrowing only); the query User= never does', async (t) => {
  const { deps } = await fixture(t)
  const blocked = await admitRequest({ ...FOLDERSYNC, authorization: basic('Mallory@corp.example') }, deps)
  t.match(blocked, { kind: 'refused', user: 'Mallory@corp.example', decision: { decision: 'block', rule: 'mallory' }, answer: { status: 200, easStatus: 129 } })
  if (blocked.kind === 'refused' && blocked.answer.status === 200) t.match(decodeWbxml(blocked.answer.body), { tag: 'FolderSync' })
  t.match(await admitRequest({ ...FOLDERSYNC, protocolVersion: '12.1', authorization: basic('mallory@corp.example') }, deps), { kind: 'refused', answer: { status: 403 } })
  t.match(await admitRequest({ ...FOLDERSYNC, authorization: basic('alice@corp.example') }, deps), { kind: 'forward', user: 'alice@corp.example', identity: credentialDigest(basic('alice@corp.example')) })
  t.equal(basicUser(basic('x:y', 'p')), 'x')
  t.equal(basicUser('Basic ' + Buffer.from(':p').toString('base64')), undefined)
})

t.test('Bearer with auth.bearer: verified user decides; refused tokens never reach the policy', async (t) => {
  const { deps, token, registry } = await fixture(t)
  const ok = await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${await token({ upn: 'alice@corp.example', oid: 'o-1' })}` }, deps)
  t.match(ok, { kind: 'forward', user: 'alice@corp.example' })
  const rotated = await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${await token({ upn: 'alice@corp.example', oid: 'o-1', jti: 'next-hour' }, NOW / 1000 + 7200)}` }, deps)
  t.ok(ok.kind === 'forward' && rotated.kind === 'forward' && ok.identity === rotated.identity, 'a rotated token keeps the identity (so the new Ping supersedes)')
  const other = await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${await token({ upn: 'alice@corp.example', oid: 'o-2' })}` }, deps)
  t.ok(other.kind === 'forward' && ok.kind === 'forward' && other.identity !== ok.identity, 'another subject is another identity')
  t.match(await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${await token({ upn: 'mallory@corp.example' })}` }, deps), { kind: 'refused', decision: { rule: 'mallory' } })
  const expired = await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${await token({ upn: 'mallory@corp.example' }, NOW / 1000 - 10)}` }, deps)
  t.match(expired, { kind: 'unauthorized', reason: 'expired', headers: { 'www-authenticate': /^Bearer/, connection: 'close' } })
  t.match(await admitRequest({ ...FOLDERSYNC, authorization: 'Bearer forged.token.x' }, deps), { kind: 'unauthorized', reason: 'malformed' })
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === metricNames.bearerRefusals)
  t.same(m?.values.map((v) => [v.labels.reason, v.value]).sort(), [['expired', 1], ['malformed', 1]])
})

t.test('keys unavailable: 503 with Retry-After, not 401 (the device should not ask for a password)', async (t) => {
  const verifier = createBearerVerifier({ config: { issuer: 'x', audience: ['y'], jwksUrl: 'http://127.0.0.1:1/k', clockTolerance: 0, userClaims: ['upn'], jwksCacheMaxAge: 1000 }, now: () => NOW })
  const { privateKey } = await generateKeyPair('ES256')
  const tok = await new SignJWT({ upn: 'a' }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer('x').setAudience('y').setExpirationTime(NOW / 1000 + 60).sign(privateKey)
  t.match(await admitRequest({ ...FOLDERSYNC, authorization: `Bearer ${tok}` }, { verifier }), { kind: 'unavailable', headers: { 'retry-after': '30' } })
})
