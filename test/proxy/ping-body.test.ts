import t from 'tap'
import { decodeWbxml, encodeWbxml, wbxmlElement } from '../../lib/eas/index.js'
import { isGatewayError } from '../../lib/errors.js'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { decodePingResponse, PING_PASSWORD, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'

const HEADER = [0x03, 0x01, 0x6a, 0x00]

/** The catalog code the real decoder raises for `body`. */
function decoderCode (body: Uint8Array): string {
  try {
    decodeWbxml(body)
  } catch (err) {
    if (isGatewayError(err)) return err.code
    throw err
  }
  throw new Error('body decodes')
}

const MALFORMED: readonly (readonly [string, Uint8Array])[] = [
  ['truncated inside <Ping>', Uint8Array.from([...HEADER, 0x00, 0x0d, 0x45])],
  ['wrong WBXML version', Uint8Array.from([0x02, 0x01, 0x6a, 0x00, 0x00, 0x0d, 0x05])],
  ['unknown code page', Uint8Array.from([...HEADER, 0x00, 0x7f, 0x45, 0x01])],
  ['bytes after the root', Uint8Array.from([...pingBody(5), 0x01])],
  ['bad multi-byte integer', Uint8Array.from([0x03, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01])],
  ['not WBXML at all', Buffer.from('<Ping><HeartbeatInterval>480</HeartbeatInterval></Ping>')]
]

t.test('malformed WBXML in a Ping: 400, never forwarded, one log line with its GW_ERR_WBXML_* code', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  for (const [i, [name, body]] of MALFORMED.entries()) {
    const code = decoderCode(body)
    t.match(code, /^GW_ERR_WBXML_/, `${name}: the decoder says ${code}`)
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const res = await dev.request(pingRequest({ deviceId: `BAD${i}` }, { body }))
    t.equal(res.status, 400, `${name}: 400`)
    t.equal(res.headers.connection, 'close', `${name}: the connection is closed`)
    t.equal(res.body.length, 0, `${name}: no body`)
    await dev.waitServerClose()
    const lines = gw.sink.lines().filter((l) => l['eas.device.id'] === `BAD${i}` || JSON.stringify(l).includes(`BAD${i}`))
    t.equal(lines.length, 1, `${name}: exactly one log line`)
    t.match(lines[0], { level: 'info', msg: 'request', 'eas.command': 'Ping', 'eas.outcome': 'refused_malformed', 'http.response.status_code': 400, 'eas.reason': 'bad_wbxml', 'error.code': code, 'eas.ping.heartbeat': undefined },
      `${name}: the access line carries ${code}`)
  }
  t.equal(up.requests.length, 0, 'nothing reached the upstream')
  t.equal(gw.sink.lines().filter((l) => typeof l['error.code'] === 'string' && l['error.code'].startsWith('GW_ERR_WBXML_')).length, MALFORMED.length, 'one GW_ERR_WBXML_* line per request, no more')
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome: 'refused_malformed' }), MALFORMED.length)
  t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Ping', status_class: '4xx' }), MALFORMED.length)
  t.equal(gw.gateway.devices.heldCount, 0, 'nothing held')
  t.notOk(gw.sink.raw.some((l) => l.includes(PING_PASSWORD) || l.includes(Buffer.from(`bob:${PING_PASSWORD}`).toString('base64'))), 'no credentials in any log line')
})

const NOT_A_PING: readonly (readonly [string, Uint8Array])[] = [
  ['a FolderSync body', encodeWbxml(wbxmlElement('FolderHierarchy', 'FolderSync', [wbxmlElement('FolderHierarchy', 'SyncKey', '0')]))],
  ['the same folder Id twice', pingBody(5, [['1', 'Email'], ['1', 'Calendar']])],
  ['a HeartbeatInterval that is no number', pingBody('soon')],
  ['an unknown folder Class', pingBody(5, [['1', 'Mail']])],
  ['a Ping response sent as a request', Uint8Array.from([...HEADER, 0x00, 0x0d, 0x45, 0x47, 0x03, 0x31, 0x00, 0x01, 0x01])]
]

t.test('a well-formed body that is not a valid Ping: HTTP 200 Ping Status 4, never forwarded', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  for (const [name, body] of NOT_A_PING) {
    const res = await dev.request(pingRequest({}, { body }))
    t.equal(res.status, 200, `${name}: 200`)
    t.equal(res.headers['content-type'], 'application/vnd.ms-sync.wbxml')
    t.strictSame(decodePingResponse(res.body), { children: ['Ping:Status'], status: 4, heartbeatInterval: undefined }, `${name}: Ping Status 4`)
  }
  t.notOk(dev.serverClosed, 'the connection stays usable')
  const lines = await gw.sink.waitForAccessLines(NOT_A_PING.length)
  for (const l of lines) t.match(l, { 'eas.outcome': 'refused_malformed', 'http.response.status_code': 200, 'eas.reason': 'ping_invalid', 'eas.ping.status': 4, 'error.code': 'GW_ERR_EAS_BAD_REQUEST' })
  t.equal(up.requests.length, 0, 'nothing reached the upstream')
  t.equal(await metricValue(gw.registry, metricNames.pingClamped), 0)
})
