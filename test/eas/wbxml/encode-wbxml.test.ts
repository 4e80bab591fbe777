import t from 'tap'
import { encodeWbxml, wbxmlElement, wbxmlOpaque, wbxmlText, type WbxmlElement, type WbxmlNode } from '../../../lib/eas/index.js'
import { toHex } from '../vectors.js'

t.test('page 0 needs no SWITCH_PAGE; other pages switch once and back only when needed', async (t) => {
  t.equal(toHex(encodeWbxml(wbxmlElement('AirSync', 'Sync'))), '03 01 6A 00 05')
  t.equal(toHex(encodeWbxml(wbxmlElement('Ping', 'Ping', [wbxmlElement('Ping', 'Status', '1')]))), '03 01 6A 00 00 0D 45 47 03 31 00 01 01')
  const tree = wbxmlElement('AirSync', 'Sync', [
    wbxmlElement('AirSyncBase', 'Body', [wbxmlElement('AirSyncBase', 'Type', '1')]),
    wbxmlElement('AirSync', 'Status', '1'),
    wbxmlElement('AirSync', 'Wait')
  ])
  t.equal(toHex(encodeWbxml(tree)), '03 01 6A 00 45 00 11 4A 46 03 31 00 01 01 00 00 4E 03 31 00 01 24 01')
})

t.test('OPAQUE carries its length as mb_u_int32 and the bytes verbatim', async (t) => {
  const data = new Uint8Array(300).fill(0xab)
  const out = encodeWbxml(wbxmlElement('ComposeMail', 'SendMail', [wbxmlElement('ComposeMail', 'Mime', [wbxmlOpaque(data)])]))
  t.equal(toHex(out.subarray(0, 11)), '03 01 6A 00 00 15 45 50 C3 82 2C')
  t.equal(out.length, 11 + 300 + 2)
  t.equal(toHex(out.subarray(-3)), 'AB 01 01')
})

t.test('text is UTF-8 inline; empty text is still a STR_I', async (t) => {
  t.equal(toHex(encodeWbxml(wbxmlElement('Ping', 'Id', [wbxmlText('é日'), wbxmlText('')]))),
    '03 01 6A 00 00 0D 4B 03 C3 A9 E6 97 A5 00 03 00 01')
})

t.test('trees that cannot be encoded throw GW_ERR_WBXML_ENCODE', async (t) => {
  const cyclic = wbxmlElement('Ping', 'Ping', [])
  cyclic.children.push(cyclic)
  let deep: WbxmlElement = wbxmlElement('Ping', 'Id')
  for (let i = 0; i < 40; i++) deep = wbxmlElement('Ping', 'Folder', [deep])
  const cases: ReadonlyArray<[string, WbxmlElement, RegExp]> = [
    ['unknown namespace', { type: 'element', namespace: 'Find' as 'Ping', tag: 'Find', children: [] }, /unknown namespace "Find"/],
    ['tag of another page', wbxmlElement('Ping', 'Sync'), /"Sync" is not on code page 13 \(Ping\)/],
    ['NUL in text', wbxmlElement('Ping', 'Id', 'a\0b'), /NUL/],
    ['lone high surrogate', wbxmlElement('Ping', 'Id', 'a\uD800'), /lone surrogate/],
    ['lone low surrogate', wbxmlElement('Ping', 'Id', '\uDC00'), /lone surrogate/],
    ['text without a string', wbxmlElement('Ping', 'Id', [{ type: 'text', text: 5 } as unknown as WbxmlNode]), /text node without a string/],
    ['unknown node type', wbxmlElement('Ping', 'Id', [{ type: 'comment' } as unknown as WbxmlNode]), /unknown node type "comment"/],
    ['opaque without bytes', wbxmlElement('Ping', 'Id', [{ type: 'opaque', data: [1] } as unknown as WbxmlNode]), /unknown node type "opaque"/],
    ['too deep', deep, /depth 33 exceeds maxDepth 32/],
    ['cycle', cyclic, /depth 33 exceeds|more than maxNodes/]
  ]
  for (const [name, tree, message] of cases) {
    t.throws(() => encodeWbxml(tree), { code: 'GW_ERR_WBXML_ENCODE', statusCode: 500, message }, name)
  }
  t.throws(() => encodeWbxml(wbxmlElement('Ping', 'Ping', [wbxmlText('a'), wbxmlText('b')]), { maxNodes: 2 }), { message: /maxNodes 2/ })
  t.equal(toHex(encodeWbxml(wbxmlElement('Ping', 'Id', '\uD83D\uDE00'))), '03 01 6A 00 00 0D 4B 03 F0 9F 98 80 00 01', 'a surrogate pair is fine')
})
