import t from 'tap'
import { encodeWbxml, parsePingRequest, wbxmlElement, wbxmlOpaque, type WbxmlNode } from '../../lib/eas/index.js'
import { fromHex } from './vectors.js'

const ping = (...children: WbxmlNode[]): Uint8Array => encodeWbxml(wbxmlElement('Ping', 'Ping', children))
const hb = (text: string): WbxmlNode => wbxmlElement('Ping', 'HeartbeatInterval', text)
const folder = (...children: WbxmlNode[]): WbxmlNode => wbxmlElement('Ping', 'Folder', children)
const id = (text: string): WbxmlNode => wbxmlElement('Ping', 'Id', text)
const cls = (text: string): WbxmlNode => wbxmlElement('Ping', 'Class', text)
const folders = (...children: WbxmlNode[]): WbxmlNode => wbxmlElement('Ping', 'Folders', children)

t.test('valid Ping bodies (MS-ASCMD §2.2.1.13, xs:all: any order)', async (t) => {
  t.same(parsePingRequest(new Uint8Array()), { empty: true })
  t.same(parsePingRequest(ping(hb('480'))), { empty: false, heartbeatInterval: 480, folders: [] })
  t.same(parsePingRequest(ping(folders(folder(cls('Contacts'), id('7'))), hb('0060'))), {
    empty: false, heartbeatInterval: 60, folders: [{ id: '7', class: 'Contacts' }]
  })
  t.same(parsePingRequest(ping(folders(folder(id('a'), cls('Tasks')), folder(id('b'), cls('Notes'))))), {
    empty: false, folders: [{ id: 'a', class: 'Tasks' }, { id: 'b', class: 'Notes' }]
  })
  t.same(parsePingRequest(fromHex('03 01 6A 00 00 0D 45 01')), { empty: false, folders: [] }, '<Ping></Ping>')
  t.equal((parsePingRequest(ping(hb('9999999999'))) as { heartbeatInterval: number }).heartbeatInterval, 9999999999, 'range is the caller\'s policy')
  const opaque = wbxmlElement('Ping', 'HeartbeatInterval', [wbxmlOpaque(Buffer.from('540'))])
  t.same(parsePingRequest(ping(opaque)), { empty: false, heartbeatInterval: 540, folders: [] }, 'OPAQUE integer tolerated')
  t.same(parsePingRequest(ping(folders(folder(id('x'.repeat(64)), cls('Email'))))), { empty: false, folders: [{ id: 'x'.repeat(64), class: 'Email' }] })
})

const BAD: ReadonlyArray<[string, Uint8Array, RegExp]> = [
  ['FolderSync body', fromHex('03 01 6A 00 00 07 56 52 03 30 00 01 01'), /root element is FolderHierarchy:FolderSync, expected Ping:Ping/],
  ['Ping element not at the root', encodeWbxml(wbxmlElement('AirSync', 'Sync', [wbxmlElement('Ping', 'Ping')])), /root element is AirSync:Sync/],
  ['letters', ping(hb('abc')), /HeartbeatInterval is not a decimal integer/],
  ['empty', ping(wbxmlElement('Ping', 'HeartbeatInterval')), /not a decimal integer/],
  ['negative', ping(hb('-1')), /not a decimal integer/],
  ['padded', ping(hb(' 480')), /not a decimal integer/],
  ['11 digits', ping(hb('12345678901')), /not a decimal integer/],
  ['element inside', ping(wbxmlElement('Ping', 'HeartbeatInterval', [id('1')])), /not a decimal integer/],
  ['opaque not UTF-8', ping(wbxmlElement('Ping', 'HeartbeatInterval', [wbxmlOpaque(Uint8Array.of(0xff))])), /not a decimal integer/],
  ['two HeartbeatIntervals', ping(hb('1'), hb('2')), /HeartbeatInterval appears more than once inside Ping/],
  ['two Folders', ping(folders(folder(id('1'), cls('Email'))), folders(folder(id('2'), cls('Email')))), /Folders appears more than once/],
  ['AutdState', ping(wbxmlElement('Ping', 'AutdState')), /unexpected Ping:AutdState inside Ping/],
  ['element of another page', ping(wbxmlElement('Settings', 'Model', 'x')), /unexpected Settings:Model inside Ping/],
  ['text in Ping', ping({ type: 'text', text: 'x' }), /unexpected text inside Ping/],
  ['empty Folders', ping(folders()), /Folders has no Folder/],
  ['Id directly in Folders', ping(folders(id('1'))), /unexpected Ping:Id inside Folders/],
  ['Folder without Class', ping(folders(folder(id('1')))), /Folder "1" needs a Class/],
  ['Folder without Id', ping(folders(folder(cls('Email')))), /Folder needs an Id of 1 to 64 characters/],
  ['empty Id', ping(folders(folder(wbxmlElement('Ping', 'Id'), cls('Email')))), /needs an Id/],
  ['65-character Id', ping(folders(folder(id('x'.repeat(65)), cls('Email')))), /needs an Id/],
  ['two Ids', ping(folders(folder(id('1'), id('2'), cls('Email')))), /Id appears more than once inside Folder/],
  ['unknown Class', ping(folders(folder(id('1'), cls('SMS')))), /Class of Email, Calendar, Contacts, Tasks or Notes/],
  ['Class in lower case', ping(folders(folder(id('1'), cls('email')))), /Class of Email/],
  ['duplicate folder Id', ping(folders(folder(id('1'), cls('Email')), folder(id('1'), cls('Calendar')))), /folder Id "1" appears more than once/]
]

t.test('invalid Ping bodies throw GW_ERR_EAS_BAD_REQUEST naming the defect', async (t) => {
  for (const [name, body, message] of BAD) {
    t.throws(() => parsePingRequest(body), { code: 'GW_ERR_EAS_BAD_REQUEST', statusCode: 400, message }, name)
  }
})

t.test('WBXML defects keep their own codes, and limits pass through', async (t) => {
  t.throws(() => parsePingRequest(fromHex('03 01 6A 00 00 0D 45 48 03 34')), { code: 'GW_ERR_WBXML_TRUNCATED' })
  t.throws(() => parsePingRequest(fromHex('03 01 6A 00 00 0D 45 4E 01 01')), { code: 'GW_ERR_WBXML_UNKNOWN_TOKEN', offset: 7 })
  t.throws(() => parsePingRequest(ping(folders(folder(id('1'), cls('Email')))), { maxDepth: 2 }), { code: 'GW_ERR_WBXML_TOO_DEEP' })
})
