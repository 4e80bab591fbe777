import t from 'tap'
import { encodePingResponse, parsePingResponse } from '../../lib/eas/index.js'

t.test('Status and HeartbeatInterval of a Ping answer; nothing from what is not one', async (t) => {
  t.same(parsePingResponse(encodePingResponse({ status: 1 })), { status: 1, heartbeatInterval: undefined })
  t.same(parsePingResponse(encodePingResponse({ status: 5, heartbeatInterval: 2700 })), { status: 5, heartbeatInterval: 2700 })
  t.equal(parsePingResponse(new Uint8Array(0)), undefined, 'Horde\'s empty answer to a superseded Ping')
  t.equal(parsePingResponse(Buffer.from('not wbxml')), undefined)
  t.equal(parsePingResponse(Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x45, 0x01])), undefined, 'a root that is not Ping:Ping')
})
