import { hasVendorReader, type Catalog } from '../../config/index.js'
import { formatTimer } from '../describe-timer.js'
import { ALL_RULES } from '../rule-list.js'
import type { RuleInfo } from '../types.js'

/** `--list-rules`: a table, or a JSON array in the json and sarif formats. */
export function formatRuleList (format: string): string {
  if (format !== 'text') return JSON.stringify(ALL_RULES.map(toJson), null, 2) + '\n'
  const width = Math.max(...ALL_RULES.map((r) => r.id.length))
  return ALL_RULES.map((r) => `${r.code}  ${r.id.padEnd(width)}  ${r.severity}`).join('\n') + '\n'
}

/** `--explain CODE`: what the rule means and how to fix it. */
export function formatRuleExplanation (r: RuleInfo, format: string): string {
  if (format !== 'text') return JSON.stringify(toJson(r), null, 2) + '\n'
  return `${r.code} ${r.id} (${r.severity})\n\n${r.description}\n\nFix: ${r.hint}\n\nREADME: #${r.code.toLowerCase()}-${r.id}\n`
}

/** `--list-kinds`: every hop and server kind and its Ping-bounding timeouts. */
export function formatKindList (catalog: Catalog, format: string): string {
  if (format !== 'text') return JSON.stringify(catalog, null, 2) + '\n'
  const lines = ['server kinds:']
  for (const s of Object.values(catalog.servers)) {
    lines.push(`  ${s.name.padEnd(18)} ${s.title} (heartbeat ${formatTimer(s.minHeartbeat.value)}..${formatTimer(s.maxHeartbeat.value)})`)
  }
  lines.push('', 'hop kinds:')
  for (const k of Object.values(catalog.kinds)) {
    const ping = Object.values(k.settings).filter((s) => s.appliesToPing).map((s) => `${s.name}=${formatTimer(s.default)}`)
    lines.push(`  ${k.name.padEnd(18)} ${k.title} [${k.layer}${ping.length > 0 ? '; ' + ping.join(', ') : ''}]${hasVendorReader(k.name) ? ' (config: its own file)' : ''}`)
  }
  return lines.join('\n') + '\n'
}

function toJson (r: RuleInfo): object {
  return { code: r.code, name: r.id, level: r.severity, description: r.description, hint: r.hint }
}
