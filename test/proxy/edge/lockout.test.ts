import t from 'tap'
import { metricNames } from '../../../lib/metrics/index.js'
import { DeviceConnection } from '../../helpers/device-connection.js'
import { startUpstream } from '../../helpers/loopback-upstream.js'
import { metricValue } from '../../helpers/metric-values.js'
import { pingPath } from '../../helpers/ping-device.js'
import { startGateway } from '../../helpers/start-gateway.js'

// Edge item 7 (issue #9): nobody without a device's credentials can spend that device's budget.

const victim = { user: 'carol', deviceId: 'VICTIM01' }
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

// regression: #9 — 70 requests with the victim's User and DeviceId and a wrong password rate-limited the real device into 503
t.test('a stranger with the victim\'s User and DeviceId but a wrong password cannot drain the victim\'s bucket', async (t) => {
  const up = await startUpstream((req) => ({ kind: 'echo', ...(req.headers.authorization === basic(victim.user, 'right') ? {} : {}) }))
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { limits: { perDevice: { requestsPerSecond: 1, burst: 5 } } })
  const send = async (password: string): Promise<number> => {
    const dev = await DeviceConnection.open(gw.port)
    try {
      const res = await dev.request({ method: 'POST', path: pingPath(victim, 'Sync'), headers: [['Authorization', basic(victim.user, password)]], body: 'x' })
      return res.status
    } finally { dev.destroy() }
  }
  const stranger: number[] = []
  for (let i = 0; i < 70; i++) stranger.push(await send('wrong'))
  t.ok(stranger.filter((s) => s === 503).length >= 60, 'the stranger is limited on their own bucket')
  t.equal(await send('right'), 200, 'the real device, with its own credentials, is served')
  t.equal(await metricValue(gw.registry, metricNames.limitRejections, { limit: 'device_rate' }), stranger.filter((s) => s === 503).length)
})
