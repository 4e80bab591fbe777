import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { cli } from '../../lib/cli/index.js'
import { memoryIo } from '../lint/lint-helpers.js'

const BASE = 'upstreams: [{ name: a, url: "http://127.0.0.1:9/" }]\n'

t.test('gateway check reads access.policy and auth.bearer.jwksFile relative to the config', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'eas-check-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const run = async (gw: string, files: Record<string, string>): Promise<{ code: number, err: string }> => {
    for (const [n, s] of Object.entries(files)) await writeFile(join(dir, n), s)
    await writeFile(join(dir, 'gw.yaml'), gw)
    const io = { ...memoryIo(), cwd: dir }
    const code = await cli(['check', '-c', 'gw.yaml'], io)
    return { code, err: io.err() }
  }
  t.match(await run(BASE + 'access: { policy: devices.yaml }\n', { 'devices.yaml': 'default: allow\n' }), { code: 0, err: /gw\.yaml: OK/ })
  const bad = await run(BASE + 'access: { policy: devices.yaml }\n', { 'devices.yaml': 'rules:\n  - { name: x, action: blok }\n' })
  t.equal(bad.code, 2)
  t.match(bad.err, /devices\.yaml:2:24 error GW0006 invalid-value/)
  t.match(bad.err, /GW_ERR_CONFIG_INVALID: access\.policy devices\.yaml has errors/)
  const warn = await run(BASE + 'access: { policy: devices.yaml }\n', { 'devices.yaml': 'default: block\n' })
  t.match(warn, { code: 0, err: /warning GW0403/ })
  t.match(await run(BASE + 'access: { policy: missing.yaml }\n', {}), { code: 2, err: /GW_ERR_CONFIG_UNREADABLE: cannot read access\.policy missing\.yaml: ENOENT/ })
  const bearer = BASE + 'auth: { bearer: { issuer: x, audience: [y], jwksFile: jwks.json } }\n'
  t.match(await run(bearer, { 'jwks.json': '{"keys":[]}' }), { code: 0 })
  t.match(await run(bearer, { 'jwks.json': '{"nokeys":1}' }), { code: 2, err: /jwksFile jwks\.json is not a JSON Web Key Set/ })
})
