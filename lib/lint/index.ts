export { runRules, renderMessage, lintGatewayConfig } from './run.js'
export { RULES } from './rules/index.js'
export type { Rule, RuleContext, LintSubject, Report, ValidGatewayConfig } from './types.js'
