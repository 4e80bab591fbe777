import { existsSync, readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import {
  decodeWbxml, encodeBlockedResponse, encodePingResponse, encodeWbxml, parsePingRequest,
  type PingResponse, type WbxmlElement
} from '../../lib/eas/index.js'
import { parseXml, type XmlElement } from '../helpers/libwbxml.js'
import { FIXTURE_DIR, loadExpected, loadVectors, SHARED_DIR, toHex } from './vectors.js'

const vectors = loadVectors()
const expected = loadExpected()

t.test('the fixture copy holds every vector and has not drifted from shared/', async (t) => {
  t.equal(vectors.length, 16, 'PROTOCOL.md §6 lists 16 vectors')
  if (!existsSync(SHARED_DIR)) {
    t.comment(`${SHARED_DIR} not present; using the fixture copy only`)
    return
  }
  const shared = readdirSync(SHARED_DIR).filter((f) => f.endsWith('.xml') || f.endsWith('.hex') || f === 'expected.txt')
  t.ok(shared.length >= 33)
  for (const f of shared) t.equal(readFileSync(FIXTURE_DIR + f, 'utf8'), readFileSync(SHARED_DIR + f, 'utf8'), f)
})

t.test('every vector decodes and re-encodes byte-identically, matching the hand-computed bytes', async (t) => {
  for (const v of vectors) {
    t.equal(toHex(v.bytes), toHex(expected.get(v.name) ?? new Uint8Array([0xff])), `${v.name}: file == expected.txt`)
    if (v.bytes.length === 0) continue
    t.equal(toHex(encodeWbxml(decodeWbxml(v.bytes))), toHex(v.bytes), `${v.name}: round trip`)
  }
})

t.test('every decoded vector has the structure of its XML twin', async (t) => {
  for (const v of vectors) {
    if (v.bytes.length === 0) continue
    t.same(simplify(decodeWbxml(v.bytes)), fromXml(parseXml(v.xml), new Map()), v.name)
  }
})

const PING_RESPONSES: ReadonlyArray<[string, PingResponse]> = [
  ['ping_response_status1', { status: 1 }],
  ['ping_response_status2_2folders', { status: 2, folders: ['1', '3'] }],
  ['ping_response_status3', { status: 3 }],
  ['ping_response_status5_hb3540', { status: 5, heartbeatInterval: 3540 }],
  ['ping_response_status5_hb60', { status: 5, heartbeatInterval: 60 }],
  ['ping_response_status6_maxfolders200', { status: 6, maxFolders: 200 }],
  ['ping_response_status7', { status: 7 }],
  ['ping_response_status8', { status: 8 }],
  ['ping_response_status129', { status: 129 }]
]

t.test('encodePingResponse reproduces every Ping response vector', async (t) => {
  for (const [name, response] of PING_RESPONSES) t.equal(toHex(encodePingResponse(response)), toHex(bytesOf(name)), name)
})

t.test('encodeBlockedResponse reproduces the Status 129 vectors', async (t) => {
  t.equal(toHex(encodeBlockedResponse('FolderSync', 129) ?? new Uint8Array()), toHex(bytesOf('foldersync_response_status129')))
  t.equal(toHex(encodeBlockedResponse('Sync', 129) ?? new Uint8Array()), toHex(bytesOf('sync_response_status129')))
  t.equal(toHex(encodeBlockedResponse('Ping', 129) ?? new Uint8Array()), toHex(bytesOf('ping_response_status129')))
})

t.test('parsePingRequest reads the three request vectors', async (t) => {
  t.same(parsePingRequest(bytesOf('ping_request_empty')), { empty: true })
  t.same(parsePingRequest(bytesOf('ping_request_bare_element')), { empty: false, folders: [] })
  t.same(parsePingRequest(bytesOf('ping_request_hb480_2folders')), {
    empty: false,
    heartbeatInterval: 480,
    folders: [{ id: '1', class: 'Email' }, { id: '3', class: 'Calendar' }]
  })
})

function bytesOf (name: string): Uint8Array {
  const v = vectors.find((x) => x.name === name)
  if (v === undefined) throw new Error(`no vector ${name}`)
  return v.bytes
}

/** `{ ns, tag, text?, children? }`: the shape both sides are compared in. */
interface Simple { ns: string, tag: string, text?: string, children?: Simple[] }

function simplify (el: WbxmlElement): Simple {
  const elements = el.children.filter((c): c is WbxmlElement => c.type === 'element')
  const text = el.children.map((c) => c.type === 'text' ? c.text : '').join('')
  const out: Simple = { ns: el.namespace, tag: el.tag }
  if (text !== '') out.text = text
  if (elements.length > 0) out.children = elements.map(simplify)
  return out
}

/** Resolves `xmlns` / `xmlns:p` declarations (values end with ':' in libwbxml style). */
function fromXml (el: XmlElement, scope: Map<string, string>): Simple {
  const inner = new Map(scope)
  for (const [k, v] of el.attributes) if (k === 'xmlns' || k.startsWith('xmlns:')) inner.set(k.slice(6), v.replace(/:$/, ''))
  const [prefix, tag] = el.name.includes(':') ? el.name.split(':') as [string, string] : ['', el.name]
  const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string')
  const text = el.children.filter((c): c is string => typeof c === 'string').join('').trim()
  const out: Simple = { ns: inner.get(prefix) ?? '?', tag }
  if (text !== '') out.text = text
  if (elements.length > 0) out.children = elements.map((c) => fromXml(c, inner))
  return out
}
