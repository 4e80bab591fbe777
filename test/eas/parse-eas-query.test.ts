import t from 'tap'
import { COMMAND_CODES, parseEasQuery, type EasQuery } from '../../lib/eas/index.js'
import { GatewayError } from '../../lib/errors.js'
import { Rng } from './random-tree.js'

const BASE = 'User=jdoe&DeviceId=ApplF17XYZ&DeviceType=iPhone'

const PLAIN: ReadonlyArray<[string, string, Partial<EasQuery>]> = [
  ['ABNF order', `Cmd=Ping&${BASE}`, { form: 'plain', command: 'Ping', user: 'jdoe', deviceId: 'ApplF17XYZ', deviceType: 'iPhone' }],
  ['iOS order, percent-encoded UPN', 'User=jdoe%40example.com&DeviceId=Appl1&DeviceType=iPhone&Cmd=Ping', { command: 'Ping', user: 'jdoe@example.com' }],
  ['names and command in any case', 'cmd=foldersync&USER=CONTOSO%5Cjdoe&deviceid=abc&DEVICETYPE=SP', { command: 'FolderSync', user: 'CONTOSO\\jdoe', deviceId: 'abc', deviceType: 'SP' }],
  ['unknown command kept as sent', `Cmd=GetHierarchyX&${BASE}`, { command: 'GetHierarchyX' }],
  ['legacy command', `Cmd=gethierarchy&${BASE}`, { command: 'GetHierarchy' }],
  ['+ is a space, %2B a plus', 'Cmd=Sync&User=John+Doe%2Bx&DeviceId=d&DeviceType=t', { user: 'John Doe+x' }],
  ['leading ?, empty pairs, unknown and repeated unknown parameters', `?&Cmd=Ping&&${BASE}&Foo=1&foo=2&`, { command: 'Ping' }],
  ['User may be absent', 'Cmd=Ping&DeviceId=d&DeviceType=t', { user: undefined }],
  ['32-character DeviceId', `Cmd=Ping&User=u&DeviceId=${'A1'.repeat(16)}&DeviceType=t`, { deviceId: 'A1'.repeat(16) }],
  // regression: #4 — ids outside the spec's 32 alphanumerics are served by Exchange; never cut them off
  ['DeviceId with punctuation, longer than 32', `Cmd=Ping&User=u&DeviceId=dev-1_${'x'.repeat(40)}&DeviceType=t`, { deviceId: `dev-1_${'x'.repeat(40)}` }],
  ['non-ASCII user name', `Cmd=Ping&User=${encodeURIComponent('jürgen')}&DeviceId=d&DeviceType=t`, { user: 'jürgen' }],
  ['SmartReply parameters', `Cmd=SmartReply&${BASE}&ItemId=5%3A1&CollectionId=5&LongId=RgAAAA&Occurrence=2024-01-01T00%3A00%3A00.000Z&SaveInSent=T`,
    { command: 'SmartReply', itemId: '5:1', collectionId: '5', longId: 'RgAAAA', occurrence: '2024-01-01T00:00:00.000Z', saveInSent: true }],
  ['SaveInSent=F', `Cmd=SendMail&${BASE}&SaveInSent=F`, { saveInSent: false }],
  ['GetAttachment', `Cmd=GetAttachment&${BASE}&AttachmentName=3%3A1%3A0`, { command: 'GetAttachment', attachmentName: '3:1:0' }],
  ['deprecated ParentId and CollectionName', `Cmd=Sync&${BASE}&ParentId=0&CollectionName=Inbox`, { parentId: '0', collectionName: 'Inbox' }]
]

t.test('plain-text queries (MS-ASHTTP §2.2.1.1.1.2)', async (t) => {
  for (const [name, query, want] of PLAIN) {
    const q = parseEasQuery(query)
    t.match(q, { form: 'plain', ...want }, name)
    for (const [k, v] of Object.entries(want)) if (v === undefined) t.notOk(k in q, `${name}: no ${k}`)
    t.notOk('protocolVersion' in q || 'policyKey' in q, `${name}: header-only fields absent`)
  }
})

const PLAIN_ERRORS: ReadonlyArray<[string, RegExp]> = [
  ['', /empty query/],
  ['?', /empty query/],
  [BASE, /missing parameter Cmd/],
  ['Cmd=Ping&User=u&DeviceType=t', /missing parameter DeviceId/],
  ['Cmd=Ping&User=u&DeviceId=d', /missing parameter DeviceType/],
  [`Cmd=Ping&Cmd=Sync&${BASE}`, /parameter Cmd appears more than once/],
  [`Cmd=Ping&cmd=Ping&${BASE}`, /parameter Cmd appears more than once/],
  [`Cmd=Ping&${BASE}&deviceid=other`, /parameter DeviceId appears more than once/],
  [`Cmd=&${BASE}`, /Cmd is empty/],
  ['Cmd=', /Cmd is empty/],
  [`Cmd&${BASE}`, /Cmd is empty/],
  [`Cmd=Ping1&${BASE}`, /Cmd must be 1 to 64 letters/],
  [`Cmd=${'A'.repeat(65)}&${BASE}`, /Cmd must be/],
  [`Cmd=Ping&User=u&DeviceId=${'a'.repeat(129)}&DeviceType=t`, /DeviceId must be 1 to 128 printable ASCII characters/],
  ['Cmd=Ping&User=u&DeviceId=a%20b&DeviceType=t', /DeviceId must be 1 to 128 printable ASCII characters/],
  ['Cmd=Ping&User=u&DeviceId=dev%20id&DeviceType=t', /DeviceId must be/],
  ['Cmd=Ping&User=u&DeviceId=d&DeviceType=i+Phone', /DeviceType must be 1 to 255 printable ASCII/],
  ['Cmd=Ping&User=u&DeviceId=d&DeviceType=iPh%C3%B6ne', /DeviceType must be/],
  ['Cmd=Ping&User=%E0%A4%A&DeviceId=d&DeviceType=t', /invalid percent-encoding in User/],
  ['Cmd=Ping&User=%FF&DeviceId=d&DeviceType=t', /invalid percent-encoding in User/],
  ['Cmd=Ping&%ZZ=1&DeviceId=d&DeviceType=t', /invalid percent-encoding in a parameter name/],
  ['Cmd=Ping&User=a%0Ab&DeviceId=d&DeviceType=t', /User contains a control character/],
  ['Cmd=Ping&User=&DeviceId=d&DeviceType=t', /User is empty/],
  [`Cmd=SendMail&${BASE}&SaveInSent=yes`, /SaveInSent must be T or F/],
  [`Cmd=SendMail&${BASE}&SaveInSent=t`, /SaveInSent must be T or F/],
  [`Cmd=SmartReply&${BASE}&ItemId=`, /ItemId is empty/],
  [`Cmd=SmartReply&${BASE}&CollectionId=${'x'.repeat(256)}`, /CollectionId is longer than 255/],
  [`Cmd=Ping&${BASE}&Foo=${'x'.repeat(8192)}`, /longer than 8192/]
]

t.test('malformed plain-text queries', async (t) => {
  for (const [query, message] of PLAIN_ERRORS) {
    t.throws(() => parseEasQuery(query), { code: 'GW_ERR_EAS_BAD_QUERY', statusCode: 400, message }, query.slice(0, 80))
  }
})

interface B64 { version?: number, code?: number, locale?: number, deviceId?: number[] | string, policyKey?: number[], deviceType?: number[] | string, params?: Array<[number, number[] | string]> }

/** Builds a base64 query from its fields (MS-ASHTTP §2.2.1.1.1.1 byte layout). */
function b64 (f: B64 = {}): string {
  const bytes = (x: number[] | string): number[] => typeof x === 'string' ? [...Buffer.from(x, 'utf8')] : x
  const locale = f.locale ?? 0x0409
  const out = [f.version ?? 141, f.code ?? 18, locale & 0xff, locale >> 8]
  const id = bytes(f.deviceId ?? 'v141Device')
  out.push(id.length, ...id)
  out.push(f.policyKey?.length ?? 0, ...(f.policyKey ?? []))
  const type = bytes(f.deviceType ?? 'SmartPhone')
  out.push(type.length, ...type)
  for (const [tag, value] of f.params ?? []) out.push(tag, bytes(value).length, ...bytes(value))
  return Buffer.from(out).toString('base64')
}

t.test('the MS-ASHTTP example decodes as documented', async (t) => {
  t.same(parseEasQuery('jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l'), {
    form: 'base64', command: 'Sync', deviceId: 'v140Device', deviceType: 'SmartPhone', protocolVersion: '14.0', locale: 0x0409
  })
  t.equal(b64({ version: 140, code: 0, deviceId: 'v140Device' }), 'jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l', 'the builder matches')
})

t.test('base64 queries: every command code, every version, every parameter', async (t) => {
  for (const [code, command] of COMMAND_CODES) t.equal(parseEasQuery(b64({ code })).command, command, `code ${code}`)
  for (const [byte, version] of [[121, '12.1'], [140, '14.0'], [141, '14.1'], [160, '16.0'], [161, '16.1']] as const) {
    t.equal(parseEasQuery(b64({ version: byte })).protocolVersion, version)
  }
  t.equal(parseEasQuery(b64({ policyKey: [0x78, 0x56, 0x34, 0x12] })).policyKey, 0x12345678, 'policy key is little-endian')
  t.equal(parseEasQuery(b64({ policyKey: [0xff, 0xff, 0xff, 0xff] })).policyKey, 4294967295)
  t.equal(parseEasQuery(b64({ locale: 0x0407 })).locale, 0x0407)
  const guid = [0x3f, 0x25, 0x04, 0xd3, 0x00, 0xff, 0x41, 0x42, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80]
  t.equal(parseEasQuery(b64({ deviceId: guid })).deviceId, '3f2504d300ff41421020304050607080', 'binary device id as hex')
  const q = parseEasQuery(b64({
    code: 3,
    params: [[0, '3:1:0'], [1, '5'], [2, 'Inbox'], [3, '5:1'], [4, 'RgAAAA'], [5, '0'], [6, 'occ'], [7, [0x03]], [8, 'jdoe@contoso.com']]
  }))
  t.same(q, {
    form: 'base64',
    command: 'SmartReply',
    deviceId: 'v141Device',
    deviceType: 'SmartPhone',
    protocolVersion: '14.1',
    locale: 0x0409,
    attachmentName: '3:1:0',
    collectionId: '5',
    collectionName: 'Inbox',
    itemId: '5:1',
    longId: 'RgAAAA',
    parentId: '0',
    occurrence: 'occ',
    saveInSent: true,
    acceptMultiPart: true,
    user: 'jdoe@contoso.com'
  })
  t.match(parseEasQuery(b64({ params: [[7, [0x00]]] })), { saveInSent: false, acceptMultiPart: false })
  t.match(parseEasQuery(b64({ params: [[7, [0x02]]] })), { saveInSent: false, acceptMultiPart: true })
})

t.test('base64 transport variants: percent escapes, missing padding, leading ?', async (t) => {
  const query = b64({ deviceId: [0xfb, 0xff, 0xfe, 0x3e] })
  t.match(query, /[+/]/, 'this query contains + or /')
  const want = parseEasQuery(query)
  t.same(parseEasQuery(encodeURIComponent(query)), want)
  t.same(parseEasQuery(`?${query}`), want)
  const padded = b64({ deviceType: 'SP' })
  t.match(padded, /=$/)
  t.same(parseEasQuery(padded.replace(/=+$/, '')), parseEasQuery(padded))
})

const B64_ERRORS: ReadonlyArray<[string, string, RegExp]> = [
  ['version 12.0', b64({ version: 120 }), /protocol version byte 120 is not 121, 140, 141, 160 or 161/],
  ['unassigned code 5', b64({ code: 5 }), /unknown command code 5/],
  ['code 24', b64({ code: 24 }), /unknown command code 24/],
  ['1 byte', Buffer.from([141]).toString('base64'), /ends before the command code \(at byte 1\)/],
  ['cut in the locale', Buffer.from([141, 18, 9]).toString('base64'), /ends before the locale \(at byte 3\)/],
  ['no device id length', Buffer.from([141, 18, 9, 4]).toString('base64'), /ends before the device ID length/],
  ['device id length 0', b64({ deviceId: [] }), /device ID length is 0/],
  ['device id longer than the rest', Buffer.from([141, 18, 9, 4, 10, 0x41]).toString('base64'), /device ID needs 10 bytes, 1 remain \(at byte 5\)/],
  ['policy key length 3', b64({ policyKey: [1, 2, 3] }), /policy key length 3 \(at byte 15\), expected 0 or 4/],
  ['policy key cut', Buffer.from([141, 18, 9, 4, 1, 0x41, 4, 1, 2]).toString('base64'), /policy key needs 4 bytes, 2 remain/],
  ['no device type length', Buffer.from([141, 18, 9, 4, 1, 0x41, 0]).toString('base64'), /ends before the device type length/],
  ['device type length 0', b64({ deviceType: '' }), /device type length is 0/],
  ['device type with a space', b64({ deviceType: 'Smart Phone' }), /device type is not printable ASCII/],
  ['device type with a high byte', b64({ deviceType: [0x53, 0x80] }), /device type is not printable ASCII/],
  ['unknown parameter tag 9', b64({ params: [[9, 'x']] }), /unknown parameter tag 9/],
  ['repeated parameter', b64({ params: [[1, 'a'], [1, 'a']] }), /parameter tag 1 appears more than once/],
  ['parameter without length', `${Buffer.from([141, 18, 9, 4, 1, 0x41, 0, 1, 0x53, 8]).toString('base64')}`, /ends before the parameter length/],
  ['parameter longer than the rest', Buffer.from([141, 18, 9, 4, 1, 0x41, 0, 1, 0x53, 8, 5, 0x61]).toString('base64'), /parameter 8 value needs 5 bytes, 1 remain/],
  ['Options of 2 bytes', b64({ params: [[7, [1, 0]]] }), /Options must be 1 byte, got 2/],
  ['Options with undefined bits', b64({ params: [[7, [0x04]]] }), /Options 0x04 has undefined bits/],
  ['User not UTF-8', b64({ params: [[8, [0xff]]] }), /User is not valid UTF-8/],
  ['empty User', b64({ params: [[8, []]] }), /User is empty/],
  ['User with a control character', b64({ params: [[8, 'a\nb']] }), /User contains a control character/],
  ['not base64', 'abc$def', /neither plain text \(no Cmd parameter\) nor base64/],
  ['length 1 mod 4', 'AAAAA', /invalid length/],
  ['misplaced padding', 'AA=', /invalid length/],
  ['bad percent escape', 'jAAJ%zz', /invalid percent-encoding in the base64 query/]
]

t.test('malformed base64 queries name the field and offset', async (t) => {
  for (const [name, query, message] of B64_ERRORS) {
    t.throws(() => parseEasQuery(query), { code: 'GW_ERR_EAS_BAD_QUERY', message }, name)
  }
})

t.test('fuzz: random and mutated queries only ever raise GW_ERR_EAS_BAD_QUERY', async (t) => {
  const seed = 0x5eed_0001
  const rng = new Rng(seed)
  const alphabet = 'ACDIemPdsTvy=&%+/0123456789ABCDEFabcdef?.-_'
  const seeds = [`Cmd=Ping&${BASE}`, b64(), b64({ policyKey: [1, 2, 3, 4], params: [[8, 'u'], [7, [1]]] }), 'jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l']
  const outcomes = { parsed: 0, rejected: 0 }
  const unexpected: string[] = []
  for (let i = 0; i < 20_000; i++) {
    let query: string
    if (i % 2 === 0) {
      query = Array.from({ length: rng.int(40) }, () => rng.pick([...alphabet])).join('')
    } else {
      const chars = [...rng.pick(seeds)]
      for (let m = 1 + rng.int(3); m > 0; m--) chars.splice(rng.int(chars.length + 1), rng.int(2), rng.pick([...alphabet]))
      query = chars.join('')
    }
    try {
      parseEasQuery(query)
      outcomes.parsed++
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_EAS_BAD_QUERY') outcomes.rejected++
      else if (unexpected.length < 5) unexpected.push(`case ${i} (seed ${seed}) ${JSON.stringify(query)}: ${String(err)}`)
    }
  }
  t.same(unexpected, [], 'no other error escapes')
  t.ok(outcomes.parsed > 100 && outcomes.rejected > 100, `both outcomes reached: ${JSON.stringify(outcomes)}`)
})
