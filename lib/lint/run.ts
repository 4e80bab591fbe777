import type { Diagnostic, LoadedGatewayConfig } from '../config/index.js'
import { unknownPragmaCodes } from './rule-list.js'
import { RULES } from './rules/index.js'
import { applySuppressions } from './suppress.js'
import type { LintSubject, MessageData, Rule, ValidGatewayConfig } from './types.js'

/** Fills `{name}` placeholders of a message template. */
export function renderMessage (template: string, data: MessageData = {}): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => (k in data ? String(data[k]) : all))
}

/** Runs rules over a subject and returns their findings, in rule order. */
export function runRules (subject: LintSubject, rules: readonly Rule[] = RULES): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const rule of rules) {
    rule.check({
      subject,
      report (r) {
        const { line, col } = r.atKey === true ? r.in.positions.keyAt(r.path) : r.in.positions.at(r.path)
        const template = rule.messages[r.messageId]
        if (template === undefined) throw new TypeError(`rule ${rule.id} has no message "${r.messageId}"`)
        out.push({
          code: rule.code,
          rule: rule.id,
          severity: r.severity ?? rule.severity,
          message: renderMessage(template, r.data),
          hint: renderMessage(rule.hints?.[r.messageId] ?? rule.hint, r.data),
          file: r.in.file,
          line,
          col,
          path: r.path
        })
      }
    })
  }
  return out
}

/**
 * The one check path for a gateway config: structural diagnostics from the loader, then every rule.
 * `gateway serve` refuses to start on any error; `gateway lint` prints the same findings.
 * `# gateway-lint ignore=…` comments in the file apply here too, so lint and serve never disagree.
 */
export function lintGatewayConfig (loaded: LoadedGatewayConfig): Diagnostic[] {
  const findings = loaded.config === undefined ? [...loaded.diagnostics] : runRules({ gateways: [loaded as ValidGatewayConfig] })
  findings.push(...unknownPragmaCodes(loaded.source.text, loaded.source.file))
  return applySuppressions(findings, new Map([[loaded.source.file, loaded.source.text]])).kept
}
