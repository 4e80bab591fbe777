import t from 'tap'
import { lintText } from './lint-helpers.js'

// TCP keepalives travel end to end of one TCP connection: they refresh L4 idle timers (which count
// packets) of every pass-through hop between two full proxies, stop at a full proxy, and never
// refresh L7 timers (which count application bytes). Both directions are pinned down here.
const GW = 'upstreams: [{ name: ex, url: "https://mail.internal/" }]\nserver: { maxHeartbeat: 30m }\ntimeouts: { easRequestTimeout: 45m, executionTimeout: 50m }\n'
const HEAD = 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n'
const LB = '  - name: lb\n    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 4 }\n'
const lbCode = async (text: string): Promise<string[]> => {
  const r = await lintText(HEAD + text, { 'gw.yaml': GW })
  t.equal(r.findings.filter((d) => d.code.startsWith('GW00')).length, 0, 'valid file')
  return r.findings.filter((d) => d.message.includes('"lb"') && d.message.includes('IdleTimeoutInMinutes')).map((d) => d.code)
}
const gateway = (ka: string): string => `  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n${ka}`
const proxy = (ka: string): string => `  - name: px\n    kind: nginx\n    balancing: single\n    closeOn401: true\n    timeouts: { proxy_read_timeout: 2h }\n${ka}`

t.test('keepalives refresh an L4 idle timer...', async (t) => {
  t.same(await lbCode(LB + '    tcpKeepalive: 60s\n'), ['GW0115'], 'declared on the L4 hop itself')
  t.same(await lbCode(LB + gateway('    tcpKeepalive: { deviceSide: 60s }\n')), ['GW0115'], 'sent by the full proxy behind it, towards the devices')
  t.same(await lbCode(gateway('    tcpKeepalive: { serverSide: 60s }\n') + LB), ['GW0115'], 'sent by the full proxy in front of it, towards the server')
  t.same(await lbCode('  - name: nat\n    kind: linux-conntrack\n    tcpKeepalive: 60s\n' + LB), ['GW0115'], 'declared on another pass-through hop of the same connection')
})

t.test('...but only when shorter than it, and only on their own TCP connection', async (t) => {
  t.same(await lbCode(LB + '    tcpKeepalive: 4m\n'), ['GW0103'], 'an interval equal to the idle timeout races it')
  t.same(await lbCode(LB + gateway('    tcpKeepalive: { serverSide: 60s }\n')), ['GW0103'], 'sent on the full proxy\'s other side')
  t.same(await lbCode(LB + proxy('') + gateway('    tcpKeepalive: 60s\n')), ['GW0103'], 'a full proxy in between ends the connection they travel on')
  t.same(await lbCode(gateway('    tcpKeepalive: { deviceSide: 60s }\n') + LB), ['GW0103'], 'sent towards the devices, the hop is on the server side')
})

t.test('keepalives never refresh an L7 timer', async (t) => {
  for (const text of [
    '  - name: alb\n    kind: aws-alb\n    balancing: single\n    closeOn401: true\n    timeouts: { idle_timeout.timeout_seconds: 600 }\n    tcpKeepalive: 10s\n',
    '  - name: alb\n    kind: aws-alb\n    balancing: single\n    closeOn401: true\n    timeouts: { idle_timeout.timeout_seconds: 600 }\n' + gateway('    tcpKeepalive: 10s\n')
  ]) {
    const r = await lintText(HEAD + text, { 'gw.yaml': GW })
    const alb = r.findings.filter((d) => d.message.includes('"alb"'))
    t.match(alb, [{ code: 'GW0103', severity: 'error', message: /idle_timeout\.timeout_seconds 10m is at or below/ }])
    t.notOk(r.findings.some((d) => d.code === 'GW0115'), 'no keepalive credit')
  }
})

t.test('a full proxy\'s own L4 timer needs keepalives on both of its connections', async (t) => {
  const mine = 'kinds:\n  l4-proxy:\n    title: L4 full proxy counting packets\n    layer: l4\n    terminatesTcp: true\n    settings:\n      idle: { default: 5m, max: none, semantics: idle, refreshedByKeepalive: true, appliesToPing: true, source: test, confidence: unconfirmed }\n'
  const hop = (ka: string): string => `catalog: mine.yaml\n${HEAD}  - name: p4\n    kind: l4-proxy\n${ka}`
  const codes = async (ka: string): Promise<string[]> => (await lintText(hop(ka), { 'mine.yaml': mine })).findings.map((d) => d.code)
  t.same(await codes('    tcpKeepalive: 60s\n'), ['GW0115'], 'both sides')
  t.same(await codes('    tcpKeepalive: { deviceSide: 60s }\n'), ['GW0103'], 'one side only')
  const one = await lintText(hop('    tcpKeepalive: { deviceSide: 60s }\n'), { 'mine.yaml': mine })
  t.match(one.findings[0]?.message, /do not cover both of its connections/)
})

t.test('covered timers do not bound the largest safe heartbeat; L7 ones do', async (t) => {
  const r = await lintText(HEAD + LB + '    tcpKeepalive: 60s\n' + proxy('    tcpKeepalive: 10s\n'))
  t.equal(r.chain?.safe?.timer.hop.name, 'px')
  t.equal(r.chain?.safe?.ms, 7_139_000)
  const alone = await lintText(HEAD + LB + '    tcpKeepalive: 60s\n')
  t.equal(alone.chain?.safe, undefined, 'nothing bounds the path')
})

t.test('a vendor keepalive setting written in timeouts counts as tcpKeepalive', async (t) => {
  const text = HEAD + LB + '  - name: f5\n    kind: f5-tcp\n    balancing: single\n    closeOn401: true\n    timeouts:\n      idle-timeout: 2h\n      keep-alive-interval: 60\n'
  t.same((await lintText(text)).findings.map((d) => d.code), ['GW0115'])
  const byDefault = HEAD + LB + '  - name: f5\n    kind: f5-tcp\n    balancing: single\n    closeOn401: true\n    timeouts:\n      idle-timeout: 2h\n'
  t.same((await lintText(byDefault)).findings.map((d) => d.code), ['GW0103'], 'its default (1800 s, unconfirmed) does not')
})
