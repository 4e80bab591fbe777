import t from 'tap'
import { runLint } from '../../lib/cli/lint.js'
import { loadAccessPolicy } from '../../lib/config/index.js'
import { covers, findBacktracking, isAccessPolicyText, lintAccessPolicy } from '../../lib/lint/index.js'
import { colOf, memoryIo } from './lint-helpers.js'

const lint = (text: string): ReturnType<typeof lintAccessPolicy> => lintAccessPolicy({ file: 'devices.yaml', text })

t.test('the issue example lints clean', async (t) => {
  const text = `default: allow
maxDevicesPerUser: 10
users: { executives: [ceo@corp.example, cfo@corp.example] }
rules:
  - { name: old-android-block, match: { deviceType: "Android*", protocol: "<14.0" }, action: block }
  - { name: lab-quarantine, match: { userAgent: "/^TestClient/" }, action: quarantine }
  - { name: execs, match: { users: executives }, action: allow }
`
  const r = lint(text)
  t.same(r.findings, [])
  t.ok(r.policy, 'compiled')
})

// [name, text, code, line, what the finding points at]: one finding each (RuleTester style).
const invalid: [string, string, string, number, string][] = [
  ['shadowed by a catch-all', 'rules:\n  - { name: all, action: allow }\n  - { name: never, match: { deviceId: X }, action: block }\n', 'GW0401', 3, 'never'],
  ['shadowed by a wider glob', 'rules:\n  - { name: android, match: { deviceType: "Android*" }, action: block }\n  - { name: samsung, match: { deviceType: "android-SM*" }, action: allow }\n', 'GW0401', 3, 'samsung'],
  ['shadowed: exact value inside a glob', 'rules:\n  - { name: a, match: { deviceType: "*Phone" }, action: block }\n  - { name: b, match: { deviceType: [iPhone, WindowsPhone] }, action: allow }\n', 'GW0401', 3, 'b, match'],
  ['shadowed: narrower version range', 'rules:\n  - { name: old, match: { protocol: "<14.0" }, action: block }\n  - { name: older, match: { protocol: "<=12.1", deviceType: iPad }, action: allow }\n', 'GW0401', 3, 'older'],
  ['shadowed: command subset', 'rules:\n  - { name: a, match: { command: [Sync, Ping] }, action: block }\n  - { name: b, match: { command: ping }, action: allow }\n', 'GW0401', 3, 'b, match'],
  ['shadowed: same group', 'users: { g: [a] }\nrules:\n  - { name: a, match: { users: g }, action: block }\n  - { name: b, match: { users: [g], deviceType: iPad }, action: allow }\n', 'GW0401', 4, 'b, match'],
  ['nested quantifier', 'rules:\n  - { name: a, match: { userAgent: "/^(\\\\w+\\\\s?)*$/" }, action: block }\n', 'GW0402', 2, '"/^('],
  ['overlapping alternation, in a list', 'rules:\n  - name: a\n    action: block\n    match:\n      deviceId: [ok, "/(a|ab)*c/"]\n', 'GW0402', 5, '"/(a|ab)'],
  ['backtracking group member', 'users: { g: ["/(x+)+y/"] }\n', 'GW0402', 1, '"/(x+)+'],
  ['default block, nothing allowed', 'default: block\nrules:\n  - { name: q, match: { deviceType: iPad }, action: quarantine }\n', 'GW0403', 1, 'block']
]

t.test('each defect is one finding with its code, line and column', async (t) => {
  for (const [name, text, code, line, needle] of invalid) {
    const r = lint(text)
    t.equal(r.findings.length, 1, `${name}: one finding (${r.findings.map((d) => d.message).join('; ')})`)
    t.match(r.findings[0], { code, file: 'devices.yaml', line, col: colOf(text, line, needle) }, name)
  }
})

const valid: [string, string][] = [
  ['different device types', 'rules:\n  - { name: a, match: { deviceType: iPhone }, action: block }\n  - { name: b, match: { deviceType: iPad }, action: allow }\n'],
  ['the later rule is wider', 'rules:\n  - { name: a, match: { deviceType: iPhone, user: x }, action: block }\n  - { name: b, match: { deviceType: iPhone }, action: allow }\n'],
  ['case-sensitive regex does not cover a value', 'rules:\n  - { name: a, match: { deviceType: "/iphone/" }, action: block }\n  - { name: b, match: { deviceType: iPhone }, action: allow }\n'],
  ['overlapping, not covering, ranges', 'rules:\n  - { name: a, match: { protocol: "12.1-14.0" }, action: block }\n  - { name: b, match: { protocol: "14.0-16.1" }, action: allow }\n'],
  ['? glob does not cover *', 'rules:\n  - { name: a, match: { deviceId: "A?" }, action: block }\n  - { name: b, match: { deviceId: "A*" }, action: allow }\n'],
  ['safe regexes', 'rules:\n  - { name: a, match: { userAgent: ["/^Apple-iPhone\\\\d+C\\\\d+\\\\/\\\\d+$/", "/^(\\\\d+\\\\.)*\\\\d+$/"] }, action: allow }\n'],
  ['default block with a list rule that allows', 'default: block\nlists: { mdm: { url: "https://mdm.example/x" } }\nrules:\n  - { name: mdm, match: { list: mdm }, action: allow }\n'],
  ['a suppression comment', 'rules:\n  - { name: all, action: allow }\n  # gateway-lint ignore=GW0401 kept on purpose\n  - { name: never, match: { deviceId: X }, action: block }\n']
]

t.test('valid policies have no findings', async (t) => {
  for (const [name, text] of valid) t.same(lint(text).findings.map((d) => d.message), [], name)
})

t.test('backtracking shapes', async (t) => {
  for (const r of ['(a+)+$', '^(\\w+\\s?)*$', '(a|ab)*c', '(a|a)*', '(\\w|\\d)+x', '\\d+\\d+', '.*.*=', '(?:x{1,20})+', '([a-z]+)*$', '(?<n>a+)+', '((ab)*)+', '(a*?)+']) {
    t.ok(findBacktracking(r), `${r} is flagged`)
  }
  for (const r of ['^Outlook-iOS-Android/', '^(\\d+\\.)*\\d+$', '^TestClient', '^(iPad|iPhone)$', '(\\.\\d+)*', '^Apple-iPhone\\d+C\\d+/\\d+\\.\\d+$', '[a-z]+[0-9]+', '(a|b)*', 'a{2,5}b', '[(]+x']) {
    t.equal(findBacktracking(r), undefined, `${r} passes`)
  }
})

t.test('a flagged regex really is slow, a passing one is not (bounded: 20 and 5000 characters)', async (t) => {
  // Each extra character doubles the work of (a+)+$ on a non-matching tail: 20 are ~1e6 steps.
  const bad = /^(a+)+$/
  const steps = (n: number): number => { const s = process.hrtime.bigint(); bad.test('a'.repeat(n) + '!'); return Number(process.hrtime.bigint() - s) }
  t.ok(steps(22) > steps(12) * 8, 'exponential growth')
  const good = /^(\d+\.)*\d+$/
  const s = process.hrtime.bigint()
  good.test('1.'.repeat(5000) + 'x')
  t.ok(Number(process.hrtime.bigint() - s) < 1e9, 'linear')
})

t.test('coverage is sound where it says yes', async (t) => {
  const m = (yaml: string): import('../../lib/config/index.js').PolicyMatch => {
    const p = loadAccessPolicy(`rules:\n  - { name: a, action: allow, match: ${yaml} }\n`, 'x.yaml').policy
    if (p === undefined) throw new Error(yaml)
    return p.rules[0]?.match ?? {}
  }
  t.ok(covers(m('{}'), m('{ deviceId: x }')))
  t.notOk(covers(m('{ deviceId: x }'), m('{}')))
  t.ok(covers(m('{ deviceType: "*" }'), m('{ deviceType: "/x/" }')))
  t.ok(covers(m('{ userAgent: "/^a/i" }'), m('{ userAgent: ABC }')))
  t.notOk(covers(m('{ userAgent: "/^a/" }'), m('{ userAgent: ABC }')))
  t.ok(covers(m('{ protocol: ">=12.1" }'), m('{ protocol: ["14.0-16.1", "12.1"] }')))
  t.notOk(covers(m('{ protocol: ">12.1" }'), m('{ protocol: "12.1-14.0" }')))
  t.ok(covers(m('{ deviceId: "*X" }'), m('{ deviceId: "A*BX" }')))
})

t.test('policy files are told apart from topologies', async (t) => {
  t.ok(isAccessPolicyText('default: block\n'))
  t.ok(isAccessPolicyText('rules: []\n'))
  t.notOk(isAccessPolicyText('server: { kind: exchange }\nhops: []\n'))
  t.notOk(isAccessPolicyText('upstreams: []\nrules: []\n'))
  t.notOk(isAccessPolicyText('[1, 2]'))
  t.notOk(isAccessPolicyText('a: [\n'))
})

t.test('gateway lint DEVICES.yaml: text, json, exit codes, --ignore', async (t) => {
  const files = {
    'devices.yaml': 'default: block\nrules:\n  - { name: q, match: { deviceType: iPad }, action: quarantine }\n',
    'broken.yaml': 'default: block\nrules:\n  - { name: q, match: { userAgent: "/(/" }, action: allow }\n',
    'clean.yaml': 'rules:\n  - { name: q, match: { deviceType: iPad }, action: quarantine }\n'
  }
  const run = async (...argv: string[]): Promise<{ code: number, out: string, err: string }> => {
    const io = memoryIo(files)
    const code = await runLint(argv, io)
    return { code, out: io.out(), err: io.err() }
  }
  const w = await run('devices.yaml')
  t.equal(w.code, 0, 'a warning does not fail at the default threshold')
  t.match(w.out, /devices\.yaml:1:10 warning GW0403 policy-blocks-every-device/)
  t.equal((await run('devices.yaml', '--failure-threshold', 'warning')).code, 1)
  t.equal((await run('devices.yaml', '--failure-threshold', 'warning', '--ignore', 'GW0403')).code, 0)
  const b = await run('broken.yaml', '--format', 'json')
  t.equal(b.code, 1)
  t.match(JSON.parse(b.out), { findings: [{ ruleId: 'GW0006', line: 3 }] })
  t.equal(JSON.parse(b.out).findings.length, 1, 'reported once')
  const c = await run('clean.yaml')
  t.equal(c.code, 0)
  t.match(c.err, /clean\.yaml: OK/)
  t.match((await run('--explain', 'GW0402')).out, /backtrack/)
})

t.test('policies/devices.example.yaml lints clean and decides as its comments say', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { ROOT } = await import('./lint-helpers.js')
  const { decideAccess } = await import('../../lib/policy/index.js')
  const file = join(ROOT, 'policies', 'devices.example.yaml')
  const r = lintAccessPolicy({ file, text: readFileSync(file, 'utf8') })
  t.same(r.findings, [])
  const p = r.policy
  if (p === undefined) throw new Error('example policy invalid')
  const lists = new Map([
    ['intune-compliant', { available: true, entries: new Set(['appl0001']) }],
    ['lost-or-stolen', { available: true, entries: new Set(['lost0001']) }]
  ])
  const base = { method: 'POST', command: 'Sync', user: 'alice@corp.example', deviceId: 'APPL0001', deviceType: 'iPhone', userAgent: 'Apple-iPhone15C2/2104.81', protocolVersion: '16.1' }
  const cases: [Record<string, string>, string, string][] = [
    [{}, 'allow', 'mdm-compliant'],
    [{ deviceId: 'UNKNOWN1' }, 'quarantine', 'default'],
    [{ deviceId: 'LOST0001', user: 'ceo@corp.example' }, 'block', 'lost-or-stolen'],
    [{ user: 'svc-backup@corp.example' }, 'block', 'no-service-accounts'],
    [{ deviceType: 'Android', protocolVersion: '12.1', deviceId: 'X' }, 'block', 'old-android-block'],
    [{ userAgent: 'TestClient/2.0' }, 'quarantine', 'lab-quarantine'],
    [{ user: 'bob@contractor.example', userAgent: 'Outlook-iOS-Android/1.0', deviceType: 'Outlook' }, 'allow', 'contractors-outlook-only'],
    [{ user: 'bob@contractor.example' }, 'block', 'contractors-other-clients'],
    [{ user: 'cfo@corp.example', deviceId: 'NEWPHONE' }, 'allow', 'execs']
  ]
  for (const [change, decision, rule] of cases) t.match(decideAccess(p, { ...base, ...change }, { now: 0, lists }), { decision, rule }, JSON.stringify(change))
})
