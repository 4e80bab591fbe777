import t from 'tap'
import { loadGatewayConfig } from '../../lib/config/index.js'

const BASE = `upstreams:
  - { name: exchange1, url: https://mail.internal/ }
`

t.test('without state.redis everything stays local', async (t) => {
  const loaded = loadGatewayConfig(BASE, 'g.yaml')
  t.same(loaded.diagnostics, [])
  t.equal(loaded.config?.state.redis, undefined)
})

t.test('state.redis with a url gets its defaults', async (t) => {
  const loaded = loadGatewayConfig(`${BASE}state: { redis: { url: 'redis://10.0.0.5:6379' } }\n`, 'g.yaml')
  t.same(loaded.diagnostics, [])
  t.same(loaded.config?.state.redis, { url: 'redis://10.0.0.5:6379', keyPrefix: 'eas-gateway:', timeout: 50, devicesInterval: 5000 })
})

t.test('state.redis settings, and a state.redis without url is refused', async (t) => {
  const ok = loadGatewayConfig(`${BASE}state: { redis: { url: 'redis://r:6379', keyPrefix: 'fleet1:', timeout: 20ms, devicesInterval: 2s } }\n`, 'g.yaml')
  t.same(ok.config?.state.redis, { url: 'redis://r:6379', keyPrefix: 'fleet1:', timeout: 20, devicesInterval: 2000 })
  const bad = loadGatewayConfig(`${BASE}state: { redis: { keyPrefix: 'x:' } }\n`, 'g.yaml')
  t.equal(bad.config, undefined)
  t.match(bad.diagnostics, [{ severity: 'error', message: /state\.redis\.url/ }])
  const short = loadGatewayConfig(`${BASE}state: { redis: { url: 'redis://r', devicesInterval: 10ms } }\n`, 'g.yaml')
  t.equal(short.config, undefined, 'a devicesInterval under 100 ms is refused')
  for (const url of ['http://r:6379', 'r:6379']) {
    const wrong = loadGatewayConfig(`${BASE}state: { redis: { url: '${url}' } }\n`, 'g.yaml')
    t.equal(wrong.config, undefined, `${url} is refused: redis:// or rediss:// only`)
  }
})
