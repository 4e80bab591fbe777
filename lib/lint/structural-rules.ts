import type { RuleInfo } from './types.js'

/**
 * The GW00xx codes: problems with a file itself, reported by lib/config while loading (not by
 * rules). Listed here so `--list-rules`, `--explain`, SARIF and the README cover every code.
 */
export const STRUCTURAL_RULES: readonly RuleInfo[] = [
  {
    code: 'GW0001',
    id: 'yaml-syntax',
    severity: 'error',
    description: 'The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases.',
    hint: 'Fix the YAML at the position shown; yaml\'s own error code is in parentheses.'
  },
  {
    code: 'GW0002',
    id: 'unknown-key',
    severity: 'error',
    description: 'A key the file format does not have (often a typo: the message suggests the closest key).',
    hint: 'Remove the key or correct its spelling.'
  },
  {
    code: 'GW0003',
    id: 'invalid-type',
    severity: 'error',
    description: 'A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs.',
    hint: 'Write the value with the type the message names.'
  },
  {
    code: 'GW0004',
    id: 'missing-key',
    severity: 'error',
    description: 'A required key is missing (topology: server, hops, a hop\'s name and kind, an eas-gateway hop\'s config, server.maxHeartbeat for kind other). The position is the enclosing key.',
    hint: 'Add the key the message names.'
  },
  {
    code: 'GW0005',
    id: 'invalid-duration',
    severity: 'error',
    description: 'A duration or timeout the linter cannot read. Durations need a unit (250ms, 90s, 61m, 1h, 1h30m); vendor timeouts also take a bare number in the vendor\'s own unit (nginx seconds, HAProxy milliseconds, Azure minutes), h:mm:ss, or the vendor\'s off word.',
    hint: 'Write the value with a unit, e.g. 90s or 61m.'
  },
  {
    code: 'GW0006',
    id: 'invalid-value',
    severity: 'error',
    description: 'A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL.',
    hint: 'Use one of the values the message lists.'
  },
  {
    code: 'GW0007',
    id: 'duplicate-name',
    severity: 'error',
    description: 'Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias).',
    hint: 'Give every hop a unique name; set each timeout once.'
  },
  {
    code: 'GW0008',
    id: 'unknown-kind',
    severity: 'error',
    description: 'A hop or server kind the catalog does not know. The message suggests the closest kind; `gateway lint --list-kinds` lists them all. Your own catalog file can add kinds.',
    hint: 'Use a kind from the catalog (policies/timeouts-catalog.yaml), or add it in your own catalog file (catalog: in the topology).'
  },
  {
    code: 'GW0009',
    id: 'unknown-setting',
    severity: 'error',
    description: 'A timeout the hop\'s kind does not have (keys are the vendor\'s own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop).',
    hint: 'Use the vendor\'s setting name as the message suggests, or remove the option.'
  },
  {
    code: 'GW0010',
    id: 'unreadable-file',
    severity: 'error',
    description: 'A file the topology refers to (an eas-gateway config, your own catalog), or a certificate, key or CA file a gateway config names, cannot be read. The message shows the path it resolved to. The topology or config file itself being unreadable is exit code 2 instead.',
    hint: 'Check the path: it is relative to the topology file.'
  },
  {
    code: 'GW0011',
    id: 'unknown-rule-code',
    severity: 'error',
    description: 'A suppression names a rule that does not exist: in a `# gateway-lint ignore=` comment, in `--ignore`, or in the `ignore` list of `.gateway-lint.yaml`. It suppresses nothing, so the finding it was meant for (often a typo away) still fails, or a retired code hides nothing.',
    hint: 'Use a code or rule name from `gateway lint --list-rules`.'
  },
  {
    code: 'GW0012',
    id: 'config-syntax',
    severity: 'error',
    description: 'A hop\'s own config file (nginx.conf, haproxy.cfg) cannot be read as that format: an unbalanced brace, a directive without its semicolon, an unterminated quote, a line outside any section. The tests check every fixture with nginx -t and haproxy -c, so what the reader accepts, the vendor accepts.',
    hint: 'Fix the file at the position shown (nginx -t -c FILE or haproxy -c -f FILE shows the same problem).'
  },
  {
    code: 'GW0013',
    id: 'no-matching-block',
    severity: 'error',
    description: 'Nothing in a hop\'s own config file serves the path the hop\'s match names (default /Microsoft-Server-ActiveSync): nginx has no server and location for it, HAProxy no frontend that routes it to a backend.',
    hint: 'Check match: on the hop ([host]/path), or the file: it may be the wrong one.'
  },
  {
    code: 'GW0014',
    id: 'topology-differs-from-config',
    severity: 'warning',
    description: 'A hop reads its own config file and also writes a timeout in the topology, with a different value: the topology\'s copy has drifted. The file is what runs, so its value is checked.',
    hint: 'Remove the timeout from the topology (the config file is read), or bring the two back in line.'
  }
]
