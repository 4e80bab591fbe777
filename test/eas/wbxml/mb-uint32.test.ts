import t from 'tap'
import { readMbUint32, writeMbUint32 } from '../../../lib/eas/index.js'
import { fromHex, toHex } from '../vectors.js'

// WBXML 1.3 §5.1: big-endian 7-bit groups; PROTOCOL.md §3.3 gives 300 → 82 2C.
const TABLE: ReadonlyArray<[number, string]> = [
  [0, '00'], [1, '01'], [106, '6A'], [127, '7F'], [128, '81 00'], [300, '82 2C'], [16383, 'FF 7F'],
  [16384, '81 80 00'], [2 ** 21, '81 80 80 00'], [2 ** 28, '81 80 80 80 00'], [0xffffffff, '8F FF FF FF 7F']
]

t.test('values encode to the shortest form and read back', async (t) => {
  for (const [value, hex] of TABLE) {
    const out: number[] = []
    writeMbUint32(value, out)
    t.equal(toHex(Uint8Array.from(out)), hex, `write ${value}`)
    t.same(readMbUint32(fromHex(`AA ${hex} BB`), 1), [value, 1 + out.length], `read ${value}`)
  }
})

t.test('malformed integers are rejected with the offset of their first byte', async (t) => {
  const cases: ReadonlyArray<[string, string, number]> = [
    ['8F FF FF FF 7F', '', -1],
    ['90 80 80 80 00', 'GW_ERR_WBXML_BAD_MB_UINT32', 1],
    ['81 81 81 81 81 01', 'GW_ERR_WBXML_BAD_MB_UINT32', 1],
    ['80 01', 'GW_ERR_WBXML_BAD_MB_UINT32', 1],
    ['81', 'GW_ERR_WBXML_TRUNCATED', 2],
    ['', 'GW_ERR_WBXML_TRUNCATED', 1]
  ]
  for (const [hex, code, offset] of cases) {
    const bytes = fromHex(`AA ${hex}`)
    if (code === '') {
      t.same(readMbUint32(bytes, 1), [0xffffffff, 6])
      continue
    }
    t.throws(() => readMbUint32(bytes, 1), { code, offset }, hex)
  }
})

t.test('writeMbUint32 refuses values that are not uint32', async (t) => {
  for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) t.throws(() => writeMbUint32(bad, []), RangeError, String(bad))
})
