import t from 'tap'
import { loadAccessPolicy } from '../../lib/config/index.js'
import {
  compileAccessPolicy, decideAccess, NO_POLICY,
  type AccessPolicy, type AccessRequest, type AccessState, type ListView
} from '../../lib/policy/index.js'

/** Loads and compiles a policy from YAML, failing the test on any finding. */
function policy (yaml: string): AccessPolicy {
  const loaded = loadAccessPolicy(yaml, 'devices.yaml')
  const c = compileAccessPolicy(loaded)
  if (c.policy === undefined) throw new Error(c.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'))
  return c.policy
}

const IPHONE: AccessRequest = {
  method: 'POST',
  command: 'Sync',
  user: 'alice@corp.example',
  deviceId: 'ABC123',
  deviceType: 'iPhone',
  userAgent: 'Apple-iPhone15C2/2104.81',
  protocolVersion: '16.1'
}
const NOW: AccessState = { now: 1_000 }

const ISSUE_EXAMPLE = `
default: allow
maxDevicesPerUser: 10
users: { executives: [ceo@corp.example, cfo@corp.example] }
rules:
  - { name: old-android-block, match: { deviceType: "Android*", protocol: "<14.0" }, action: block }
  - { name: lab-quarantine, match: { userAgent: "/^TestClient/" }, action: quarantine }
  - { name: execs, match: { users: executives }, action: allow }
`

t.test('no policy: every device is allowed, as before', async (t) => {
  t.equal(decideAccess(undefined, IPHONE, NOW), NO_POLICY)
  t.match(NO_POLICY, { decision: 'allow', rule: 'none', forward: true })
})

t.test('the issue example, request by request', async (t) => {
  const p = policy(ISSUE_EXAMPLE)
  // [name, request changes, decision, rule, forward, status]
  const cases: [string, Partial<AccessRequest>, string, string, boolean, number?][] = [
    ['iPhone at 16.1: default allow', {}, 'allow', 'default', true],
    ['Android at 12.1: blocked', { deviceType: 'Android', protocolVersion: '12.1' }, 'block', 'old-android-block', false, 129],
    ['Android glob is case-insensitive', { deviceType: 'androidPhone', protocolVersion: '2.5' }, 'block', 'old-android-block', false, 129],
    ['Android at 14.0: the range is exclusive', { deviceType: 'Android', protocolVersion: '14.0' }, 'allow', 'default', true],
    ['Android without a version: no range matches', { deviceType: 'Android', protocolVersion: undefined }, 'allow', 'default', true],
    ['TestClient quarantined, Sync refused', { userAgent: 'TestClient/1.0' }, 'quarantine', 'lab-quarantine', false, 129],
    ['TestClient quarantined, FolderSync goes through', { userAgent: 'TestClient/1.0', command: 'FolderSync' }, 'quarantine', 'lab-quarantine', true],
    ['regex is unanchored only where it says so', { userAgent: 'MyTestClient/1.0' }, 'allow', 'default', true],
    ['exec by group', { user: 'CEO@corp.example' }, 'allow', 'execs', true],
    ['first match wins: an exec on old Android is blocked', { user: 'ceo@corp.example', deviceType: 'Android', protocolVersion: '12.0' }, 'block', 'old-android-block', false, 129]
  ]
  for (const [name, change, decision, rule, forward, status] of cases) {
    const d = decideAccess(p, { ...IPHONE, ...change }, NOW)
    t.match(d, { decision, rule, forward, ...(status !== undefined ? { status } : {}) }, name)
    if (status === undefined) t.equal(d.status, undefined, `${name}: no status`)
  }
})

t.test('every matcher: exact, glob, regex, list of alternatives, absent values', async (t) => {
  const p = policy(`
default: block
users: { sales: ["*@sales.corp.example", bob@corp.example] }
rules:
  - { name: by-user, match: { user: Carol@Corp.Example }, action: allow }
  - { name: by-group, match: { users: [sales] }, action: allow }
  - { name: by-id, match: { deviceId: [DEV1, "LAB-??"] }, action: allow }
  - { name: by-type-regex, match: { deviceType: "/^(iPad|iPhone)$/" }, action: allow }
  - { name: by-ua, match: { userAgent: "Outlook-iOS-Android/*" }, action: quarantine }
  - { name: by-version, match: { protocol: ["12.1", "16.0-16.1"] }, action: allow }
  - { name: by-command, match: { command: [options, Provision] }, action: allow }
`)
  const base: AccessRequest = { method: 'POST', command: 'Sync', user: 'x@corp.example', deviceId: 'NONE', deviceType: 'Nokia', userAgent: 'Nokia/1', protocolVersion: '14.1' }
  const cases: [Partial<AccessRequest>, string][] = [
    [{}, 'default'],
    [{ user: 'carol@corp.example' }, 'by-user'],
    [{ user: 'carol@corp.example.evil' }, 'default'],
    [{ user: 'dan@sales.corp.example' }, 'by-group'],
    [{ user: 'BOB@corp.example' }, 'by-group'],
    [{ user: undefined }, 'default'],
    [{ deviceId: 'dev1' }, 'by-id'],
    [{ deviceId: 'LAB-42' }, 'by-id'],
    [{ deviceId: 'LAB-420' }, 'default'],
    [{ deviceType: 'iPad' }, 'by-type-regex'],
    [{ deviceType: 'ipad' }, 'default'],
    [{ userAgent: 'Outlook-iOS-Android/1.0' }, 'by-ua'],
    [{ protocolVersion: '12.1' }, 'by-version'],
    [{ protocolVersion: '16.0' }, 'by-version'],
    [{ protocolVersion: '16.1' }, 'by-version'],
    [{ protocolVersion: '14.0' }, 'default'],
    [{ protocolVersion: 'garbage' }, 'default'],
    [{ command: 'Provision' }, 'by-command'],
    [{ method: 'OPTIONS', command: '' }, 'by-command'],
    [{ command: 'provision' }, 'by-command']
  ]
  for (const [change, rule] of cases) t.equal(decideAccess(p, { ...base, ...change }, NOW).rule, rule, JSON.stringify(change))
})

t.test('all fields of one rule must match (AND)', async (t) => {
  const p = policy(`
default: allow
rules:
  - { name: both, match: { deviceType: iPhone, user: "*@contractor.example" }, action: block, status: 130 }
`)
  t.match(decideAccess(p, { ...IPHONE, user: 'x@contractor.example' }, NOW), { rule: 'both', status: 130, forward: false })
  t.match(decideAccess(p, { ...IPHONE, user: 'x@corp.example' }, NOW), { rule: 'default' })
  t.match(decideAccess(p, { ...IPHONE, deviceType: 'Android', user: 'x@contractor.example' }, NOW), { rule: 'default' })
})

t.test('an empty match matches everything; a rule without a match too', async (t) => {
  const p = policy('rules:\n  - { name: all, match: {}, action: block, status: 126 }\n')
  t.match(decideAccess(p, IPHONE, NOW), { decision: 'block', rule: 'all', status: 126 })
  const q = policy('rules:\n  - { name: all, action: quarantine }\n')
  t.match(decideAccess(q, IPHONE, NOW), { decision: 'quarantine', rule: 'all', forward: false })
})

t.test('defaults: allow, block, quarantine', async (t) => {
  t.match(decideAccess(policy('{}'), IPHONE, NOW), { decision: 'allow', rule: 'default', reason: 'default', forward: true })
  t.match(decideAccess(policy('default: block'), IPHONE, NOW), { decision: 'block', rule: 'default', status: 129, forward: false })
  t.match(decideAccess(policy('default: quarantine'), IPHONE, NOW), { decision: 'quarantine', rule: 'default', status: 129, forward: false })
  t.match(decideAccess(policy('default: quarantine'), { ...IPHONE, command: 'Settings' }, NOW), { decision: 'quarantine', forward: true })
})

t.test('quarantine command set: OPTIONS, Provision, FolderSync, Settings and nothing else', async (t) => {
  const p = policy('default: quarantine')
  const through = ['Provision', 'FolderSync', 'Settings']
  for (const command of ['Sync', 'Ping', 'SendMail', 'SmartReply', 'SmartForward', 'GetItemEstimate', 'ItemOperations', 'Search', 'FolderCreate', 'MoveItems', 'MeetingResponse', 'GetAttachment', 'ResolveRecipients', 'ValidateCert', 'Find', 'Bogus', ...through]) {
    t.equal(decideAccess(p, { ...IPHONE, command }, NOW).forward, through.includes(command), command)
  }
  t.equal(decideAccess(p, { ...IPHONE, method: 'OPTIONS', command: '' }, NOW).forward, true, 'OPTIONS')
})

t.test('device limit: newest refused (177), oldest kept; stable when the refused one retries', async (t) => {
  const p = policy('maxDevicesPerUser: 2\n')
  const slots = [{ deviceId: 'A', firstSeen: 10 }, { deviceId: 'B', firstSeen: 20 }]
  const st = (userDevices: AccessState['userDevices'], now = 100): AccessState => ({ userDevices, now })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'A' }, st(slots)), { decision: 'allow', forward: true })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'C' }, st(slots)), { decision: 'block', rule: 'device-limit', reason: 'device-limit', status: 177 })
  // C was recorded when first refused; it stays refused on every retry.
  const withC = [...slots, { deviceId: 'C', firstSeen: 30 }]
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'C' }, st(withC, 5000)), { rule: 'device-limit' })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'B' }, st(withC, 5000)), { rule: 'default' })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'C', user: undefined }, st(withC)), { rule: 'default' }, 'no user: no limit')
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'C' }, st([{ deviceId: 'A', firstSeen: 10 }])), { rule: 'default' }, 'under the limit')
})

t.test('device limit: refuseOverLimit oldest refuses the device seen first', async (t) => {
  const p = policy('maxDevicesPerUser: 2\nrefuseOverLimit: oldest\n')
  const withC = [{ deviceId: 'A', firstSeen: 10 }, { deviceId: 'B', firstSeen: 20 }, { deviceId: 'C', firstSeen: 30 }]
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'A' }, { userDevices: withC, now: 40 }), { rule: 'device-limit', status: 177 })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'C' }, { userDevices: withC, now: 40 }), { rule: 'default', forward: true })
  // A new device D (not yet known) is the newest: it is kept, and A and B are now beyond the limit.
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'D' }, { userDevices: withC, now: 40 }), { rule: 'default' })
})

t.test('device limit never overrides a block; a quarantined device counts against it', async (t) => {
  const p = policy('maxDevicesPerUser: 1\nrules:\n  - { name: q, match: { deviceId: Q }, action: quarantine }\n  - { name: b, match: { deviceId: X }, action: block }\n')
  const slots = [{ deviceId: 'A', firstSeen: 1 }]
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'X' }, { userDevices: slots, now: 5 }), { rule: 'b', status: 129 })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'Q', command: 'FolderSync' }, { userDevices: slots, now: 5 }), { rule: 'device-limit', status: 177 })
})

t.test('compliance lists: on the list, off it, unavailable with each onUnavailable', async (t) => {
  const yaml = (mode: string): string => `
default: block
lists: { mdm: { url: "https://mdm.example/export", onUnavailable: ${mode} } }
rules:
  - { name: compliant, match: { list: mdm }, action: allow }
`
  const up = (ids: string[], available = true): Map<string, ListView> => new Map([['mdm', { available, entries: new Set(ids) }]])
  for (const mode of ['allow', 'block', 'last-known']) {
    const p = policy(yaml(mode))
    t.match(decideAccess(p, IPHONE, { now: 1, lists: up(['abc123']) }), { decision: 'allow', rule: 'compliant', reason: 'rule' }, `${mode}: on the list (case-insensitive)`)
    t.match(decideAccess(p, IPHONE, { now: 1, lists: up(['other']) }), { decision: 'block', rule: 'default' }, `${mode}: off the list`)
  }
  t.match(decideAccess(policy(yaml('allow')), IPHONE, { now: 1, lists: up([], false) }), { decision: 'allow', rule: 'compliant', reason: 'list-unavailable' })
  t.match(decideAccess(policy(yaml('block')), IPHONE, { now: 1, lists: up(['abc123'], false) }), { decision: 'block', rule: 'compliant', reason: 'list-unavailable', status: 129 })
  t.match(decideAccess(policy(yaml('last-known')), IPHONE, { now: 1, lists: up(['abc123'], false) }), { decision: 'allow', rule: 'compliant', reason: 'rule' }, 'last-known uses the stale list')
  t.match(decideAccess(policy(yaml('last-known')), IPHONE, { now: 1 }), { decision: 'block', rule: 'default' }, 'last-known with nothing known: not on it')
  t.match(decideAccess(policy(yaml('allow')), IPHONE, { now: 1 }), { decision: 'allow', reason: 'list-unavailable' }, 'a list never fetched is unavailable')
})

t.test('a block list: the MDM names the devices to refuse', async (t) => {
  const p = policy(`
lists: { lost: { url: "https://mdm.example/lost.csv", format: csv } }
rules:
  - { name: lost-devices, match: { list: lost }, action: block }
`)
  const lists = new Map([['lost', { available: true, entries: new Set(['abc123']) }]])
  t.match(decideAccess(p, IPHONE, { now: 1, lists }), { decision: 'block', rule: 'lost-devices' })
  t.match(decideAccess(p, { ...IPHONE, deviceId: 'FINE' }, { now: 1, lists }), { decision: 'allow', rule: 'default' })
})
