import t from 'tap'
import { COMMON_STATUS, decodeWbxml, encodePingResponse, textContent, wbxmlElement, type PingResponse } from '../../lib/eas/index.js'

t.test('children follow the PingResponse.xsd sequence', async (t) => {
  t.same(decodeWbxml(encodePingResponse({ status: 2, folders: ['a', 'b', 'c'] })), wbxmlElement('Ping', 'Ping', [
    wbxmlElement('Ping', 'Status', '2'),
    wbxmlElement('Ping', 'Folders', ['a', 'b', 'c'].map((f) => wbxmlElement('Ping', 'Folder', f)))
  ]))
})

t.test('every common status builds a Ping with that Status', async (t) => {
  t.equal(COMMON_STATUS.size, 74)
  for (const status of [...COMMON_STATUS.keys(), 1, 3, 4, 7, 8]) {
    const root = decodeWbxml(encodePingResponse({ status }))
    t.equal(root.children.length, 1)
    const child = root.children[0]
    t.ok(child?.type === 'element' && child.tag === 'Status' && textContent(child) === String(status), `status ${status}`)
  }
})

const INVALID: ReadonlyArray<[PingResponse, RegExp]> = [
  [{ status: 0 }, /status 0 is neither 1-8 nor a common status/],
  [{ status: 9 }, /status 9/],
  [{ status: 100 }, /status 100/],
  [{ status: 157 }, /status 157/],
  [{ status: 178 }, /status 178/],
  [{ status: 1.5 }, /status 1.5/],
  [{ status: 2 }, /status 2 needs folders/],
  [{ status: 2, folders: [] }, /status 2 needs at least one folder/],
  [{ status: 2, folders: [''] }, /folder ids must be 1 to 64 characters/],
  [{ status: 2, folders: ['x'.repeat(65)] }, /folder ids must be/],
  [{ status: 1, folders: ['1'] }, /folders is only sent with status 2/],
  [{ status: 5 }, /status 5 needs heartbeatInterval/],
  [{ status: 1, heartbeatInterval: 60 }, /heartbeatInterval is only sent with status 5/],
  [{ status: 5, heartbeatInterval: 0 }, /heartbeatInterval must be a positive integer/],
  [{ status: 5, heartbeatInterval: 59.5 }, /heartbeatInterval must be a positive integer/],
  [{ status: 6 }, /status 6 needs maxFolders/],
  [{ status: 129, maxFolders: 10 }, /maxFolders is only sent with status 6/],
  [{ status: 6, maxFolders: -1 }, /maxFolders must be a positive integer/]
]

t.test('inconsistent responses throw GW_ERR_EAS_INVALID_RESPONSE', async (t) => {
  for (const [response, message] of INVALID) {
    t.throws(() => encodePingResponse(response), { code: 'GW_ERR_EAS_INVALID_RESPONSE', statusCode: 500, message }, JSON.stringify(response))
  }
})
