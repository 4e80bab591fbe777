import t from 'tap'
import {
  DEFAULT_WBXML_LIMITS, decodeWbxml, encodeWbxml, wbxmlElement, wbxmlOpaque, wbxmlText, WbxmlError,
  type WbxmlLimits
} from '../../../lib/eas/index.js'
import { GatewayError } from '../../../lib/errors.js'
import { fromHex, toHex } from '../vectors.js'

const H = '03 01 6A 00'

/** [name, hex, code, offset, limits?] */
const ERRORS: ReadonlyArray<[string, string, string, number, Partial<WbxmlLimits>?]> = [
  ['empty input', '', 'GW_ERR_WBXML_TRUNCATED', 0],
  ['WBXML 1.2 version byte', '02 01 6A 00 45 01', 'GW_ERR_WBXML_BAD_HEADER', 0],
  ['public id 0 (string table reference)', '03 00 00 6A 00 45 01', 'GW_ERR_WBXML_BAD_HEADER', 1],
  ['public id other than 1', '03 04 6A 00 45 01', 'GW_ERR_WBXML_BAD_HEADER', 1],
  ['charset other than UTF-8', '03 01 04 00 45 01', 'GW_ERR_WBXML_BAD_HEADER', 2],
  ['string table', '03 01 6A 01 41 45 01', 'GW_ERR_WBXML_BAD_HEADER', 3],
  ['header cut after public id', '03 01', 'GW_ERR_WBXML_TRUNCATED', 2],
  ['header cut inside public id', '03 81', 'GW_ERR_WBXML_TRUNCATED', 2],
  ['overlong public id', '03 80 01 6A 00 45 01', 'GW_ERR_WBXML_BAD_MB_UINT32', 1],
  ['header only: no root', H, 'GW_ERR_WBXML_TRUNCATED', 4],
  ['root never closed', `${H} 45`, 'GW_ERR_WBXML_TRUNCATED', 5],
  ['child never closed', `${H} 45 4E 03 31 00 01`, 'GW_ERR_WBXML_TRUNCATED', 10],
  ['SWITCH_PAGE without page', `${H} 00`, 'GW_ERR_WBXML_TRUNCATED', 5],
  ['page 25', `${H} 00 19 45 01`, 'GW_ERR_WBXML_UNKNOWN_PAGE', 5],
  ['page 255', `${H} 45 00 FF 01`, 'GW_ERR_WBXML_UNKNOWN_PAGE', 6],
  ['token 0x0E on Ping', `${H} 00 0D 45 4E 01 01`, 'GW_ERR_WBXML_UNKNOWN_TOKEN', 7],
  ['token 0x2A on Settings', `${H} 00 12 2A`, 'GW_ERR_WBXML_UNKNOWN_TOKEN', 6],
  ['bytes after the root END', `${H} 45 01 01`, 'GW_ERR_WBXML_TRAILING_DATA', 6],
  ['second root after an empty root', `${H} 05 05`, 'GW_ERR_WBXML_TRAILING_DATA', 5],
  ['SWITCH_PAGE after the root', `${H} 45 01 00 00`, 'GW_ERR_WBXML_TRAILING_DATA', 6],
  ['END before any element', `${H} 01`, 'GW_ERR_WBXML_INVALID', 4],
  ['text before the root', `${H} 03 61 00 45 01`, 'GW_ERR_WBXML_INVALID', 4],
  ['opaque before the root', `${H} C3 00 45 01`, 'GW_ERR_WBXML_INVALID', 4],
  ['unterminated string', `${H} 45 03 61 62`, 'GW_ERR_WBXML_TRUNCATED', 8],
  ['invalid UTF-8', `${H} 45 03 FF 00 01`, 'GW_ERR_WBXML_BAD_UTF8', 6],
  ['UTF-8 surrogate', `${H} 45 03 ED A0 80 00 01`, 'GW_ERR_WBXML_BAD_UTF8', 6],
  ['overlong UTF-8 NUL', `${H} 45 03 C0 80 00 01`, 'GW_ERR_WBXML_BAD_UTF8', 6],
  ['opaque longer than the input', `${H} 45 C3 05 61 01`, 'GW_ERR_WBXML_TRUNCATED', 9],
  ['opaque length 2^32', `${H} 45 C3 90 80 80 80 00 01`, 'GW_ERR_WBXML_BAD_MB_UINT32', 6],
  ['opaque length of 6 bytes', `${H} 45 C3 81 81 81 81 81 01 01`, 'GW_ERR_WBXML_BAD_MB_UINT32', 6],
  ['opaque length 2^32-1', `${H} 45 C3 8F FF FF FF 7F 01`, 'GW_ERR_WBXML_TOO_LONG', 5],
  ['STR_T', `${H} 45 83 00 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 5],
  ['ENTITY', `${H} 45 02 41 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 5],
  ['LITERAL', `${H} 04 00`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 4],
  ['PI', `${H} 45 43 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 5],
  ['EXT_I_0', `${H} 45 40 61 00 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 5],
  ['EXT_0', `${H} 45 C0 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 5],
  ['LITERAL_AC', `${H} C4 00`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 4],
  ['tag with attributes', `${H} C5 01 01`, 'GW_ERR_WBXML_UNSUPPORTED_TOKEN', 4],
  ['33 levels', `${H} ${'45 '.repeat(33)}`, 'GW_ERR_WBXML_TOO_DEEP', 36],
  ['depth over a custom limit', `${H} 45 45 05 01 01`, 'GW_ERR_WBXML_TOO_DEEP', 6, { maxDepth: 2 }],
  ['nodes over a custom limit', `${H} 45 07 07 07 01`, 'GW_ERR_WBXML_TOO_MANY_NODES', 7, { maxNodes: 3 }],
  ['text counts as a node', `${H} 45 03 61 00 03 62 00 01`, 'GW_ERR_WBXML_TOO_MANY_NODES', 8, { maxNodes: 2 }],
  ['string over a custom limit', `${H} 45 03 61 62 63 64 00 01`, 'GW_ERR_WBXML_TOO_LONG', 5, { maxStringBytes: 3 }],
  ['opaque over a custom limit', `${H} 45 C3 03 61 62 63 01`, 'GW_ERR_WBXML_TOO_LONG', 5, { maxOpaqueBytes: 2 }]
]

t.test('malformed input throws a typed error at the offending byte', async (t) => {
  for (const [name, hex, code, offset, limits] of ERRORS) {
    let caught: unknown
    try {
      decodeWbxml(fromHex(hex), limits)
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof WbxmlError && caught instanceof GatewayError, `${name}: a WbxmlError`)
    t.match(caught, { code, offset, statusCode: 400, message: new RegExp(`\\(at byte ${offset}\\)$`) }, name)
  }
})

t.test('limits at exactly their value still decode', async (t) => {
  t.ok(decodeWbxml(fromHex(`${H} ${'45 '.repeat(32)}${'01 '.repeat(32)}`)), 'depth 32')
  t.ok(decodeWbxml(fromHex(`${H} 45 07 07 01`), { maxNodes: 3 }))
  t.ok(decodeWbxml(fromHex(`${H} 45 03 61 62 63 00 01`), { maxStringBytes: 3 }))
  t.ok(decodeWbxml(fromHex(`${H} 45 C3 02 61 62 01`), { maxOpaqueBytes: 2 }))
  t.equal(DEFAULT_WBXML_LIMITS.maxDepth, 32)
  t.throws(() => decodeWbxml(fromHex(`${H} 05`), { maxDepth: 0 }), RangeError)
  t.throws(() => decodeWbxml(fromHex(`${H} 05`), { maxNodes: 1.5 }), RangeError)
})

t.test('the tree keeps text, opaque, mixed content and page switches', async (t) => {
  const tree = decodeWbxml(fromHex(`${H} 00 0E 45 00 12 56 48 57 03 69 50 00 01 01 01 00 0E 46 01 01`))
  t.same(tree, wbxmlElement('Provision', 'Provision', [
    wbxmlElement('Settings', 'DeviceInformation', [wbxmlElement('Settings', 'Set', [wbxmlElement('Settings', 'Model', 'iP')])]),
    wbxmlElement('Provision', 'Policies')
  ]))
  const mixed = fromHex(`${H} 00 0D 45 03 61 00 0B 03 62 00 03 63 00 C3 02 00 FF 01`)
  t.same(decodeWbxml(mixed), wbxmlElement('Ping', 'Ping', [
    wbxmlText('a'), wbxmlElement('Ping', 'Id'), wbxmlText('b'), wbxmlText('c'), wbxmlOpaque(Uint8Array.of(0x00, 0xff))
  ]))
  t.equal(toHex(encodeWbxml(decodeWbxml(mixed))), toHex(mixed), 'mixed content round-trips')
})

t.test('a byte-order mark and an empty string survive the round trip', async (t) => {
  const bom = fromHex(`${H} 45 03 EF BB BF 61 00 03 00 C3 00 01`)
  t.same(decodeWbxml(bom).children, [wbxmlText('\uFEFFa'), wbxmlText(''), wbxmlOpaque(new Uint8Array())])
  t.equal(toHex(encodeWbxml(decodeWbxml(bom))), toHex(bom))
})

t.test('non-canonical but valid input decodes and re-encodes canonically', async (t) => {
  // SWITCH_PAGE to the current page, and a content flag with no content, are valid WBXML.
  const input = fromHex(`${H} 00 00 45 00 00 4E 01 01`)
  t.same(decodeWbxml(input), wbxmlElement('AirSync', 'Sync', [wbxmlElement('AirSync', 'Status')]))
  t.equal(toHex(encodeWbxml(decodeWbxml(input))), `${H} 45 0E 01`)
  t.equal(toHex(encodeWbxml(decodeWbxml(fromHex(`${H} 00 0D 45 01`)))), `${H} 00 0D 05`, '<Ping></Ping> becomes <Ping/>')
})

t.test('adversarial megabyte inputs fail fast', async (t) => {
  const mb = 1024 * 1024
  const cases: ReadonlyArray<[string, Uint8Array, string]> = [
    ['1 MiB of nested tags', concat(fromHex(H), new Uint8Array(mb).fill(0x45)), 'GW_ERR_WBXML_TOO_DEEP'],
    ['1 MiB of empty siblings', concat(fromHex(`${H} 45`), new Uint8Array(mb).fill(0x07)), 'GW_ERR_WBXML_TOO_MANY_NODES'],
    ['2 MiB unterminated string', concat(fromHex(`${H} 45 03`), new Uint8Array(2 * mb).fill(0x61)), 'GW_ERR_WBXML_TOO_LONG'],
    ['4 GiB opaque claim', fromHex(`${H} 45 C3 8F FF FF FF 7F`), 'GW_ERR_WBXML_TOO_LONG'],
    ['1 MiB of END', concat(fromHex(`${H} 45`), new Uint8Array(mb).fill(0x01)), 'GW_ERR_WBXML_TRAILING_DATA']
  ]
  for (const [name, bytes, code] of cases) {
    const start = process.hrtime.bigint()
    t.throws(() => decodeWbxml(bytes), { code }, name)
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    t.ok(ms < 1000, `${name}: ${ms.toFixed(1)} ms`)
  }
})

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

t.test('opaque data is a copy, also when the input is a Buffer', async (t) => {
  const input = Buffer.from(fromHex(`${H} 45 C3 02 61 62 01`))
  const child = decodeWbxml(input).children[0]
  input.fill(0)
  t.ok(child?.type === 'opaque' && child.data.constructor === Uint8Array)
  t.same(child, wbxmlOpaque(Uint8Array.of(0x61, 0x62)))
})
