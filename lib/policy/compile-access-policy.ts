import { nodePosition, type AccessPolicyFile, type Diagnostic, type LoadedAccessPolicy, type PolicyMatch } from '../config/index.js'
import { EAS_COMMANDS, normalizeCommand, type KnownCommand } from '../eas/index.js'
import type { AccessPolicy, AccessRequest, CompiledRule } from './access-types.js'
import { anyOf, compilePattern, inRange, versionNumber, type ValueTest } from './match-pattern.js'

const COMMAND_NAMES = [...EAS_COMMANDS, 'Options'].join(', ')

/**
 * Compiles a loaded policy file into predicates. Command names are checked here (this folder
 * owns the command vocabulary, via lib/eas): an unknown one is a positioned GW0006 finding.
 */
export function compileAccessPolicy (loaded: LoadedAccessPolicy): { policy?: AccessPolicy, diagnostics: Diagnostic[] } {
  if (loaded.policy === undefined) return { diagnostics: [...loaded.diagnostics] }
  const diagnostics: Diagnostic[] = []
  loaded.policy.rules.forEach((r, i) => {
    (r.match.command ?? []).forEach((c, j) => {
      if (commandOf(c) !== undefined) return
      const list = ['rules', i, 'match', 'command']
      const item = nodePosition(loaded.source, [...list, j])
      const path = item !== undefined ? [...list, j] : list
      const [line, col] = item ?? nodePosition(loaded.source, list) ?? [1, 1]
      diagnostics.push({
        code: 'GW0006',
        rule: 'invalid-value',
        severity: 'error',
        file: loaded.source.file,
        line,
        col,
        path,
        message: `unknown command "${c}" (expected one of: ${COMMAND_NAMES})`
      })
    })
  })
  if (diagnostics.length > 0) return { diagnostics }
  return { policy: compileFile(loaded.policy), diagnostics }
}

/** Compiles a valid policy file (command names already checked). */
export function compileFile (file: AccessPolicyFile): AccessPolicy {
  const groups = new Map(Object.entries(file.users).map(([name, members]) => [name, anyOf(members.map(compilePattern))]))
  const rules: CompiledRule[] = file.rules.map((r, index) => {
    const commands = r.match.command === undefined ? undefined : new Set(r.match.command.map((c) => commandOf(c) as KnownCommand | 'Options'))
    return {
      name: r.name,
      action: r.action,
      status: r.status ?? 129,
      index,
      matches: compileMatch(r.match, groups, commands),
      lists: r.match.list ?? [],
      onUnavailable: new Map((r.match.list ?? []).map((n) => [n, file.lists[n]?.onUnavailable ?? 'last-known'])),
      ...(commands !== undefined ? { commands } : {})
    }
  })
  return { file, rules }
}

function compileMatch (m: PolicyMatch, groups: ReadonlyMap<string, ValueTest>, commands: ReadonlySet<string> | undefined): (r: AccessRequest) => boolean {
  const tests: ((r: AccessRequest) => boolean)[] = []
  const field = (k: 'user' | 'deviceId' | 'deviceType' | 'userAgent'): void => {
    const ps = m[k]
    if (ps === undefined) return
    const t = anyOf(ps.map(compilePattern))
    tests.push((r) => t(r[k]))
  }
  field('user'); field('deviceId'); field('deviceType'); field('userAgent')
  if (m.users !== undefined) {
    const t = anyOf(m.users.map((g) => groups.get(g) ?? (() => false)))
    tests.push((r) => t(r.user))
  }
  if (m.protocol !== undefined) {
    const ranges = m.protocol
    tests.push((r) => { const v = versionNumber(r.protocolVersion); return ranges.some((x) => inRange(x, v)) })
  }
  if (commands !== undefined) tests.push((r) => commands.has(requestCommand(r)))
  return (r) => tests.every((t) => t(r))
}

/** The command of a request in policy terms: `Options` for the OPTIONS method. */
export function requestCommand (r: AccessRequest): KnownCommand | 'Options' | 'other' {
  return r.method.toUpperCase() === 'OPTIONS' ? 'Options' : normalizeCommand(r.command)
}

function commandOf (name: string): KnownCommand | 'Options' | undefined {
  if (name.toLowerCase() === 'options') return 'Options'
  const c = normalizeCommand(name)
  return c === 'other' ? undefined : c
}
