import t from 'tap'
import { decodeWbxml, encodeWbxml, wbxmlElement, wbxmlOpaque, wbxmlToXml } from '../../../lib/eas/index.js'

const tree = wbxmlElement('AirSync', 'Sync', [wbxmlElement('AirSync', 'Collections', [wbxmlElement('AirSync', 'Collection', [
  wbxmlElement('AirSync', 'SyncKey', '3'),
  wbxmlElement('AirSync', 'ApplicationData', [
    wbxmlElement('Email', 'Subject', 'Lunch <today> & more'),
    wbxmlElement('Email', 'From', '"Bob" <bob@example.com>'),
    wbxmlElement('AirSyncBase', 'Body', [wbxmlElement('AirSyncBase', 'Type', '2'), wbxmlElement('AirSyncBase', 'Data', 'hello')]),
    wbxmlElement('AirSyncBase', 'NativeBodyType', [wbxmlOpaque(new Uint8Array([1, 2, 3]))]),
    wbxmlElement('AirSync', 'MoreAvailable')
  ])
])])])

t.test('content hidden by default: sizes only, namespaces where the code page changes', async (t) => {
  const xml = wbxmlToXml(decodeWbxml(encodeWbxml(tree)))
  t.equal(xml, [
    '<Sync xmlns="AirSync">',
    '  <Collections>',
    '    <Collection>',
    '      <SyncKey>3</SyncKey>',
    '      <ApplicationData>',
    '        <Subject xmlns="Email">[20 bytes]</Subject>',
    '        <From xmlns="Email">[23 bytes]</From>',
    '        <Body xmlns="AirSyncBase">[6 bytes]</Body>',
    '        <NativeBodyType xmlns="AirSyncBase">[opaque 3 bytes]</NativeBodyType>',
    '        <MoreAvailable/>',
    '      </ApplicationData>',
    '    </Collection>',
    '  </Collections>',
    '</Sync>'
  ].join('\n'))
  t.notMatch(xml, /Lunch|bob@|hello/)
})

t.test('showContent: the text, escaped, and opaque data as base64', async (t) => {
  const xml = wbxmlToXml(tree, { showContent: true })
  t.match(xml, /<Subject xmlns="Email">Lunch &lt;today&gt; &amp; more<\/Subject>/)
  t.match(xml, /<Body xmlns="AirSyncBase">\n\s+<Type>2<\/Type>\n\s+<Data>hello<\/Data>/)
  t.match(xml, /\[opaque base64:AQID\]/)
})
