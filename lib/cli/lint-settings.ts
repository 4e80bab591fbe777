import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { formatDiagnostic, LINT_CONFIG_FILE, loadCatalog, loadLintConfig, type Catalog, type Diagnostic, type LintConfig, type PositionMap } from '../config/index.js'
import { COMMAND_LINE, findRule, suggestRule, unknownCode } from '../lint/index.js'
import { packageRoot } from '../package-root.js'
import type { CliIo } from './io.js'

/** `.gateway-lint.yaml` as the CLI uses it: the file's name as shown, its values and positions. */
export interface LintSettings {
  /** As shown in findings: `--config` as given, or `.gateway-lint.yaml`; absent without a file. */
  readonly file?: string
  readonly config: LintConfig
  readonly positions?: PositionMap
}

const NONE: LintSettings = { config: { ignore: [], files: [] } }

/**
 * Reads `--config FILE`, or `.gateway-lint.yaml` in the working directory when it exists. A file
 * named with `--config` must exist. Returns the settings, or the message to print (exit 2).
 */
export async function readLintSettings (io: CliIo, configArg: string | undefined): Promise<LintSettings | string> {
  const file = configArg ?? LINT_CONFIG_FILE
  let text: string
  try {
    text = await io.readFile(resolve(io.cwd, file))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (configArg === undefined && code === 'ENOENT') return NONE
    return `gateway lint: GW_ERR_CONFIG_UNREADABLE: cannot read ${file}: ${code ?? (err as Error).message}\n`
  }
  const loaded = loadLintConfig(text, file)
  if (loaded.config === undefined) {
    return loaded.diagnostics.map((d) => formatDiagnostic(d) + '\n').join('') + `gateway lint: GW_ERR_CONFIG_INVALID: ${file} has errors\n`
  }
  return { file, config: loaded.config, positions: loaded.positions }
}

/** The shipped catalog with the lint config's `catalog:` applied; or the message to print (exit 2). */
export async function catalogFor (io: CliIo, shipped: Catalog, settings: LintSettings): Promise<Catalog | string> {
  const ref = settings.config.catalog
  if (ref === undefined || settings.file === undefined) return shipped
  const name = join(dirname(settings.file), ref)
  let text: string
  try { text = await io.readFile(resolve(io.cwd, name)) } catch (err) {
    return `gateway lint: GW_ERR_CONFIG_UNREADABLE: cannot read ${name} (catalog in ${settings.file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`
  }
  const own = loadCatalog(text, name, shipped)
  if (own.catalog === undefined) return own.diagnostics.map((d) => formatDiagnostic(d) + '\n').join('') + `gateway lint: GW_ERR_CONFIG_INVALID: ${name} has errors\n`
  return own.catalog
}

/**
 * GW0011 findings for ignored codes that name no rule: in `--ignore` (`<command line>:1:N`, N the
 * column in the command line as typed) and in the lint config's `ignore` list (at the entry).
 */
export function unknownIgnores (argv: readonly string[], cliIgnore: readonly string[], settings: LintSettings): Diagnostic[] {
  const out: Diagnostic[] = []
  const line = argv.join(' ')
  let from = 0
  for (const code of cliIgnore) {
    const at = line.indexOf(code, from)
    if (at >= 0) from = at + code.length
    if (findRule(code) === undefined) out.push(unknownCode(code, COMMAND_LINE, 1, at + 1, [], suggestRule(code)))
  }
  for (const e of settings.config.ignore) {
    if (findRule(e.rule) !== undefined || settings.file === undefined) continue
    const { line: l, col } = settings.positions?.at(e.path) ?? { line: 1, col: 1 }
    out.push(unknownCode(e.rule, settings.file, l, col, e.path, suggestRule(e.rule)))
  }
  return out
}

/** The README that rule help links to: package.json `homepage` when it names one, else the installed README. */
export function docsUrl (homepage: string | undefined): string {
  if (homepage !== undefined && /^https?:\/\//.test(homepage)) return homepage.replace(/#.*$/, '')
  return pathToFileURL(join(packageRoot(), 'README.md')).href
}
