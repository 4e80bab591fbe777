import t from 'tap'
import { decodeWbxml } from '../../lib/eas/index.js'
import { accessAnswer, type AccessDecision, type AccessRequest } from '../../lib/policy/index.js'

const BLOCK: AccessDecision = { decision: 'block', rule: 'r', reason: 'rule', forward: false, status: 129 }
const REQ: AccessRequest = { method: 'POST', command: 'FolderSync', protocolVersion: '14.1' }
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

t.test('forwarded requests get no local answer', async (t) => {
  t.equal(accessAnswer({ decision: 'allow', rule: 'default', reason: 'default', forward: true }, REQ), undefined)
})

t.test('14.0 and later: HTTP 200, the command root and the Status (PROTOCOL.md §6 vectors)', async (t) => {
  // [command, version, status, expected bytes]
  const cases: [string, string, 129 | 126 | 130 | 177, string][] = [
    ['FolderSync', '14.1', 129, '03016a000007564c0331323900010' + '1'],
    ['Sync', '14.0', 129, '03016a00454e033132390001' + '01'],
    ['Ping', '16.1', 129, '03016a00000d4547033132390001' + '01'],
    ['FolderSync', '16.0', 177, '03016a000007564c0331373700010' + '1']
  ]
  for (const [command, protocolVersion, status, bytes] of cases) {
    const a = accessAnswer({ ...BLOCK, status }, { ...REQ, command, protocolVersion })
    t.equal(a?.status, 200, `${command} ${protocolVersion}`)
    if (a?.status !== 200) continue
    t.equal(a.contentType, 'application/vnd.ms-sync.wbxml')
    t.equal(a.easStatus, status)
    t.equal(hex(a.body), bytes, `${command} ${status} bytes`)
  }
})

t.test('every status-bearing command decodes with its own root and Status', async (t) => {
  for (const command of ['Provision', 'Settings', 'Search', 'ItemOperations', 'SendMail', 'SmartReply', 'SmartForward', 'ResolveRecipients', 'ValidateCert', 'GetItemEstimate', 'MoveItems', 'FolderCreate', 'MeetingResponse']) {
    const a = accessAnswer({ ...BLOCK, status: 130 }, { ...REQ, command })
    if (a?.status !== 200) { t.fail(`${command}: expected 200`); continue }
    const root = decodeWbxml(a.body)
    t.equal(root.tag, command === 'MoveItems' ? 'MoveItems' : command, `${command} root`)
    t.match(JSON.stringify(root), /"130"/, `${command} carries 130`)
  }
})

t.test('HTTP 403 without a body: 12.1 and earlier, no version, OPTIONS, commands without a status body', async (t) => {
  const cases: [string, Partial<AccessRequest>][] = [
    ['12.1', { protocolVersion: '12.1' }],
    ['12.0', { protocolVersion: '12.0' }],
    ['2.5', { protocolVersion: '2.5' }],
    ['no version', { protocolVersion: undefined }],
    ['garbage version', { protocolVersion: 'x' }],
    ['OPTIONS', { method: 'OPTIONS', command: '' }],
    ['GetAttachment', { command: 'GetAttachment' }],
    ['Find (page 25 not encoded)', { command: 'Find' }],
    ['a 2.x command', { command: 'GetHierarchy' }],
    ['an unknown command', { command: 'Bogus' }]
  ]
  for (const [name, change] of cases) t.same(accessAnswer(BLOCK, { ...REQ, ...change }), { status: 403 }, name)
})

t.test('a quarantined request without a status defaults to 129', async (t) => {
  const a = accessAnswer({ decision: 'quarantine', rule: 'q', reason: 'rule', forward: false }, { ...REQ, command: 'Sync' })
  t.match(a, { status: 200, easStatus: 129 })
})
