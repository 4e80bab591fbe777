import t from 'tap'
import { loadAccessPolicy, loadGatewayConfig, parsePattern, parseVersionRange } from '../../lib/config/index.js'
import { compileAccessPolicy } from '../../lib/policy/index.js'

const ISSUE_EXAMPLE = `default: allow
maxDevicesPerUser: 10
users: { executives: [ceo@corp.example, cfo@corp.example] }
rules:
  - { name: old-android-block, match: { deviceType: "Android*", protocol: "<14.0" }, action: block }
  - { name: lab-quarantine, match: { userAgent: "/^TestClient/" }, action: quarantine }
  - { name: execs, match: { users: executives }, action: allow }
`

t.test('the issue example loads, defaults applied, deep-frozen', async (t) => {
  const l = loadAccessPolicy(ISSUE_EXAMPLE, 'devices.yaml')
  t.same(l.diagnostics, [])
  const p = l.policy
  if (p === undefined) throw new Error('no policy')
  t.equal(p.default, 'allow')
  t.equal(p.maxDevicesPerUser, 10)
  t.equal(p.refuseOverLimit, 'newest')
  t.same(p.users.executives?.map((m) => m.kind), ['exact', 'exact'])
  t.match(p.rules[0], { name: 'old-android-block', action: 'block', match: { deviceType: [{ kind: 'glob', text: 'Android*' }], protocol: [{ max: { version: 1400, inclusive: false } }] } })
  t.match(p.rules[1]?.match.userAgent, [{ kind: 'regex', source: '^TestClient', flags: '' }])
  t.same(p.rules[2]?.match.users, ['executives'])
  t.ok(Object.isFrozen(p.rules[0]?.match.deviceType?.[0]))
  t.ok(Object.isFrozen(p.users))
})

t.test('patterns and version ranges', async (t) => {
  t.match(parsePattern('/^a+$/i'), { kind: 'regex', source: '^a+$', flags: 'i' })
  t.match(parsePattern('iPhone'), { kind: 'exact' })
  t.match(parsePattern('SAMSUNG-??'), { kind: 'glob' })
  t.match(parsePattern('/'), { kind: 'exact' }, 'a lone slash is a value')
  t.match(parsePattern('/a/g'), { error: /g and y/ })
  t.match(parsePattern('//'), { error: /empty/ })
  t.match(parsePattern('/(/'), { error: /invalid regular expression/ })
  t.match(parsePattern('x'.repeat(600)), { error: /longer than 512/ })
  t.match(parseVersionRange('<14.0'), { max: { version: 1400, inclusive: false } })
  t.match(parseVersionRange('<=14.0'), { max: { version: 1400, inclusive: true } })
  t.match(parseVersionRange('>12.1'), { min: { version: 1201, inclusive: false } })
  t.match(parseVersionRange('>= 12.1'), { min: { version: 1201, inclusive: true } })
  t.match(parseVersionRange('14.1'), { min: { version: 1401, inclusive: true }, max: { version: 1401, inclusive: true } })
  t.match(parseVersionRange('=2.5'), { min: { version: 205 } })
  t.match(parseVersionRange('14.0-16.1'), { min: { version: 1400, inclusive: true }, max: { version: 1601, inclusive: true } })
  t.match(parseVersionRange('16.1-14.0'), { error: /empty/ })
  t.match(parseVersionRange('~14'), { error: /not one of/ })
  t.match(parseVersionRange('14'), { error: /not one of/ })
})

/** 1-based column of `needle` on `line` of `text`. */
function colOf (text: string, line: number, needle: string): number {
  const i = (text.split('\n')[line - 1] ?? '').indexOf(needle)
  if (i < 0) throw new Error(`"${needle}" not on line ${line}`)
  return i + 1
}

const R = (rule: string): string => `rules:\n  - ${rule}\n`
// [name, text, code, line, what the finding points at, message]
const cases: [string, string, string, number, string, RegExp][] = [
  ['unknown top-level key', 'defualt: block\n', 'GW0002', 1, 'defualt', /unknown key/],
  ['unknown match key', R('{ name: a, match: { devicetype: x }, action: block }'), 'GW0002', 2, 'devicetype', /did you mean "deviceType"/],
  ['bad action', R('{ name: a, action: deny }'), 'GW0006', 2, 'deny', /allow, block, quarantine/],
  ['missing action', R('{ name: a }'), 'GW0004', 2, '{ name', /action/],
  ['bad regex', R('{ name: a, match: { userAgent: "/(Outlook/" }, action: block }'), 'GW0006', 2, '"/(Outlook/"', /invalid regular expression/],
  ['bad regex in a list points at its entry', 'rules:\n  - name: a\n    action: block\n    match:\n      userAgent:\n        - ok\n        - "/[/"\n', 'GW0006', 7, '"/[/"', /userAgent\[1\]/],
  ['bad protocol range', R('{ name: a, match: { protocol: "~14" }, action: block }'), 'GW0006', 2, '"~14"', /protocol range/],
  ['unquoted version keeps its spelling', R('{ name: a, match: { protocol: 14.0-x }, action: block }'), 'GW0006', 2, '14.0-x', /14\.0-x/],
  ['unknown group', 'users: { a: [x] }\n' + R('{ name: a, match: { users: admins }, action: allow }'), 'GW0006', 3, 'admins', /no group "admins".*defined: a/],
  ['unknown list', R('{ name: a, match: { list: mdm }, action: allow }'), 'GW0006', 2, 'mdm', /no list "mdm".*none defined/],
  ['duplicate rule name', 'rules:\n  - { name: a, action: allow }\n  - { name: a, action: block }\n', 'GW0007', 3, 'a, action: block', /used twice/],
  ['reserved rule name', R('{ name: default, action: allow }'), 'GW0006', 2, 'default', /reserved/],
  ['rule name not a label', R('{ name: "my rule!", action: allow }'), 'GW0006', 2, '"my rule!"', /letters, digits/],
  ['status on an allow rule', R('{ name: a, action: allow, status: 129 }'), 'GW0006', 2, '129', /block rules only/],
  ['status not a block status', R('{ name: a, action: block, status: 500 }'), 'GW0006', 2, '500', /129, 126, 130/],
  ['empty list never matches', R('{ name: a, match: { deviceId: [] }, action: block }'), 'GW0006', 2, '[]', /empty list/],
  ['pattern of the wrong type', R('{ name: a, match: { deviceId: { x: 1 } }, action: block }'), 'GW0003', 2, '{ x: 1 }', /non-empty string/],
  ['list url scheme', 'lists: { mdm: { url: "ftp://x/" } }\n', 'GW0006', 1, '"ftp', /http/],
  ['yaml syntax', 'rules: [\n', 'GW0001', 2, '', /./]
]

t.test('every defect is one positioned finding', async (t) => {
  for (const [name, text, code, line, needle, message] of cases) {
    const l = loadAccessPolicy(text, 'devices.yaml')
    t.equal(l.policy, undefined, `${name}: refused`)
    t.equal(l.diagnostics.length, 1, `${name}: one finding (${l.diagnostics.map((d) => d.message).join('; ')})`)
    const d = l.diagnostics[0]
    t.match(d, { code, file: 'devices.yaml', line, message }, name)
    if (needle !== '') t.equal(d?.col, colOf(text, line, needle), `${name}: column`)
  }
})

t.test('unknown command names are positioned findings of the compile step', async (t) => {
  const text = 'rules:\n  - name: a\n    action: quarantine\n    match: { command: [Sync, Snyc] }\n'
  const c = compileAccessPolicy(loadAccessPolicy(text, 'devices.yaml'))
  t.equal(c.policy, undefined)
  t.match(c.diagnostics, [{ code: 'GW0006', line: 4, col: colOf(text, 4, 'Snyc'), message: /unknown command "Snyc"/ }])
  const one = 'rules:\n  - { name: a, action: block, match: { command: Pnig } }\n'
  t.match(compileAccessPolicy(loadAccessPolicy(one, 'd.yaml')).diagnostics, [{ line: 2, col: colOf(one, 2, 'Pnig') }])
})

t.test('gateway.yaml: access and auth.bearer', async (t) => {
  const base = 'upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n'
  const plain = loadGatewayConfig(base, 'gw.yaml')
  t.same(plain.config?.access, { watch: true }, 'without access.policy every device is allowed')
  t.same(plain.config?.auth, {})
  const l = loadGatewayConfig(base + 'access: { policy: devices.yaml, cacheDir: cache }\nauth: { bearer: { issuer: "https://login.example/t/v2.0", audience: [api://eas], jwksFile: jwks.json } }\n', 'gw.yaml')
  t.same(l.diagnostics, [])
  t.match(l.config?.access, { policy: 'devices.yaml', cacheDir: 'cache', watch: true })
  t.match(l.config?.auth.bearer, { issuer: 'https://login.example/t/v2.0', audience: ['api://eas'], jwksFile: 'jwks.json', clockTolerance: 60_000, userClaims: ['upn', 'preferred_username', 'oid'] })
  const none = loadGatewayConfig(base + 'auth:\n  bearer: { issuer: x, audience: [y] }\n', 'gw.yaml')
  t.match(none.diagnostics, [{ code: 'GW0004', line: 3, col: 3, message: /jwksUrl or jwksFile/ }])
  const both = loadGatewayConfig(base + 'auth:\n  bearer: { issuer: x, audience: [y], jwksFile: a, jwksUrl: "https://x/" }\n', 'gw.yaml')
  t.match(both.diagnostics, [{ code: 'GW0006', message: /not both/ }])
})
