import { readdir } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatDiagnostic, loadCatalog, type Catalog, type Diagnostic } from '../config/index.js'
import {
  ALL_RULES, exitCodeFor, findRule, formatGithub, formatGitlab, formatJson, formatKindList, formatRuleExplanation, formatRuleList,
  formatSarif, formatText, isAccessPolicyText, lintAccessPolicy, lintTopology, summarizeHeartbeat,
  type FailureThreshold, type LintReport, type OutputOptions
} from '../lint/index.js'
import { packageHomepage, packageRoot, packageVersion } from '../package-root.js'
import { expandFiles, STDIN } from './expand-files.js'
import { EXIT, type CliIo } from './io.js'
import { catalogFor, docsUrl, readLintSettings, unknownIgnores, type LintSettings } from './lint-settings.js'

const USAGE = `usage: gateway lint [options] TOPOLOGY.yaml... | DEVICES.yaml | GLOB... | -

Proves every hop on the ActiveSync path outlasts the heartbeat, so the mail server ends each Ping.
Given a device access policy (access.policy), checks its rules instead (GW04xx).

options:
  --format FORMAT                 text|json|sarif|github|gitlab (default: text); the machine formats print only that on stdout
  --failure-threshold LEVEL       error|warning|info|none: lowest level that exits 1 (default: error, or the config file's)
  --ignore CODE[,CODE]            suppress findings by code or rule name (repeatable)
  --disable-ignore-pragma         ignore "# gateway-lint ignore=" comments in the files
  --config FILE                   lint config (default: .gateway-lint.yaml in the working directory, when present)
  --base DIR                      file paths in sarif, github and gitlab output are relative to DIR (default: working directory)
  --stdin-filename NAME           the name findings give the topology read from "-" (default: <stdin>)
  --color, --no-color             colour the text format (default: on a terminal; off with NO_COLOR, on with FORCE_COLOR)
  --list-rules                    list every rule (code, name, level)
  --list-kinds                    list the hop and server kinds of the catalog
  --explain CODE                  explain one rule (code or name)
  --version                       print the version
  -h, --help                      this text

Several files and globs ("topologies/**/*.yaml", quoted) are linted in one run; "-" reads stdin.

exit codes: 0 nothing at or above the threshold, 1 findings at or above it, 2 could not run
`

const FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab'] as const
type Format = (typeof FORMATS)[number]
const THRESHOLDS: readonly FailureThreshold[] = ['error', 'warning', 'info', 'none']
const OPTIONS = {
  format: { type: 'string', default: 'text' },
  'failure-threshold': { type: 'string' },
  ignore: { type: 'string', multiple: true },
  'disable-ignore-pragma': { type: 'boolean' },
  config: { type: 'string' },
  base: { type: 'string' },
  'stdin-filename': { type: 'string' },
  color: { type: 'boolean' },
  'list-rules': { type: 'boolean' },
  'list-kinds': { type: 'boolean' },
  explain: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

/**
 * `gateway lint` (argv without the subcommand). Resolves with the exit code: identical in every
 * format. Bad input is findings (exit 1); an unusable command line or config file, an unreadable
 * topology file or an internal failure is exit 2 with a reason on stderr, never a stack trace.
 */
export async function runLint (argv: string[], io: CliIo): Promise<number> {
  try {
    return await lint(argv, io)
  } catch (err) {
    io.stderr(`gateway lint: internal error: ${(err as Error).message}\n`)
    return EXIT.USAGE
  }
}

async function lint (argv: string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parseArgs({ args: argv, allowPositionals: true, allowNegative: true, options: OPTIONS })
  } catch (err) {
    return usage(io, (err as Error).message)
  }
  const v = args.values
  const format = v.format as Format
  if (!FORMATS.includes(format)) return usage(io, `--format must be one of ${FORMATS.join(', ')}, got "${v.format}"`)
  if (v.help === true) { io.stdout(USAGE); return EXIT.OK }
  if (v.version === true) { io.stdout(`${packageVersion()}\n`); return EXIT.OK }
  if (v['list-rules'] === true) { io.stdout(formatRuleList(format)); return EXIT.OK }
  if (v.explain !== undefined) {
    const rule = findRule(v.explain)
    if (rule === undefined) return usage(io, `no rule "${v.explain}": see gateway lint --list-rules`)
    io.stdout(formatRuleExplanation(rule, format))
    return EXIT.OK
  }
  const shipped = await shippedCatalog(io)
  if (shipped === undefined) return EXIT.USAGE
  if (v['list-kinds'] === true) { io.stdout(formatKindList(shipped, format)); return EXIT.OK }
  const settings = await readLintSettings(io, v.config)
  if (typeof settings === 'string') { io.stderr(settings); return EXIT.USAGE }
  const threshold = (v['failure-threshold'] ?? settings.config.failureThreshold ?? 'error') as FailureThreshold
  if (!THRESHOLDS.includes(threshold)) return usage(io, `--failure-threshold must be one of ${THRESHOLDS.join(', ')}, got "${threshold}"`)
  const catalog = await catalogFor(io, shipped, settings)
  if (typeof catalog === 'string') { io.stderr(catalog); return EXIT.USAGE }
  const operands = args.positionals.length > 0 ? args.positionals : settings.config.files.map((f) => settings.file === undefined ? f : relativeTo(settings.file, f))
  if (operands.length === 0) return usage(io, 'a topology file is required')
  if (operands.filter((f) => f === STDIN).length > 1) return usage(io, '"-" (stdin) can be given once')
  const expanded = await expandFiles(operands, io.cwd)
  if ('error' in expanded) return usage(io, expanded.error)
  const cliIgnore = (v.ignore ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')
  const reports: LintReport[] = []
  for (const op of expanded.files) {
    const input = await readTopology(io, op, v['stdin-filename'])
    if (typeof input === 'string') { io.stderr(input); return EXIT.USAGE }
    reports.push(await lintOne(io, input, catalog, settings, { cliIgnore, threshold, disablePragmas: v['disable-ignore-pragma'] === true }))
  }
  // Findings about the command line and the config file go with the first topology.
  const runLevel = unknownIgnores(argv, cliIgnore, settings)
  if (runLevel.length > 0 && reports[0] !== undefined) reports[0] = withFindings(reports[0], runLevel, threshold)
  write(io, reports, format, {
    base: resolve(io.cwd, v.base ?? '.'), cwd: io.cwd, docsUrl: docsUrl(packageHomepage())
  }, useColor(v.color, io))
  return Math.max(...reports.map((r) => r.exitCode))
}

interface LintOptions { readonly cliIgnore: readonly string[], readonly threshold: FailureThreshold, readonly disablePragmas: boolean }

async function lintOne (io: CliIo, input: { file: string, text: string }, catalog: Catalog, settings: LintSettings, o: LintOptions): Promise<LintReport> {
  const ignore = [...o.cliIgnore, ...settings.config.ignore.map((e) => e.rule)]
  // A device access policy (access.policy) gets the GW04xx checks instead of the timeout chain.
  const result = isAccessPolicyText(input.text)
    ? lintAccessPolicy({ file: input.file, text: input.text, ignore, disablePragmas: o.disablePragmas })
    : await lintTopology({
      file: input.file,
      text: input.text,
      catalog,
      readFile: async (p) => await io.readFile(resolve(io.cwd, p)),
      listFiles: async (dir) => await readdir(resolve(io.cwd, dir)),
      ignore,
      disablePragmas: o.disablePragmas
    })
  return {
    file: input.file,
    toolVersion: packageVersion(),
    findings: result.findings,
    suppressed: result.suppressed.length,
    exitCode: exitCodeFor(result.findings, o.threshold),
    ...('chain' in result && result.chain !== undefined ? { heartbeat: summarizeHeartbeat(result.chain) } : {})
  }
}

function withFindings (r: LintReport, extra: readonly Diagnostic[], threshold: FailureThreshold): LintReport {
  const findings = [...extra, ...r.findings]
  return { ...r, findings, exitCode: exitCodeFor(findings, threshold) }
}

async function readTopology (io: CliIo, op: string, stdinName: string | undefined): Promise<{ file: string, text: string } | string> {
  if (op === STDIN) {
    if (io.readStdin === undefined) return 'gateway lint: standard input is not available here\n'
    return { file: stdinName ?? '<stdin>', text: await io.readStdin() }
  }
  try {
    return { file: op, text: await io.readFile(resolve(io.cwd, op)) }
  } catch (err) {
    return `gateway lint: cannot read ${op}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`
  }
}

function write (io: CliIo, reports: readonly LintReport[], format: Format, out: OutputOptions, color: boolean): void {
  if (format === 'json') {
    const docs = reports.map((r) => formatJson(r).trimEnd())
    io.stdout(docs.length === 1 ? `${docs[0] ?? ''}\n` : `[\n${docs.join(',\n')}\n]\n`)
  } else if (format === 'sarif') io.stdout(formatSarif(reports, ALL_RULES, out))
  else if (format === 'github') io.stdout(formatGithub(reports, out))
  else if (format === 'gitlab') io.stdout(formatGitlab(reports, out))
  else {
    io.stdout(reports.map((r) => (reports.length > 1 ? `== ${r.file}\n` : '') + formatText(r, { color })).join('\n'))
    for (const r of reports) if (r.exitCode === 0) io.stderr(`${r.file}: OK\n`)
  }
}

/** A path from the lint config's `files`, relative to the config file's folder. */
function relativeTo (configFile: string, f: string): string {
  return isAbsolute(f) ? f : join(dirname(configFile), f)
}

/** The catalog shipped in policies/; a broken one means this build cannot run (exit 2). */
async function shippedCatalog (io: CliIo): Promise<Catalog | undefined> {
  const path = resolve(packageRoot(), 'policies', 'timeouts-catalog.yaml')
  let text: string
  try {
    text = await io.readFile(path)
  } catch (err) {
    io.stderr(`gateway lint: cannot read the vendor catalog ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return undefined
  }
  const loaded = loadCatalog(text, path)
  if (loaded.catalog === undefined) {
    for (const d of loaded.diagnostics) io.stderr(formatDiagnostic(d) + '\n')
    io.stderr('gateway lint: the shipped vendor catalog is invalid\n')
  }
  return loaded.catalog
}

/** `--color`/`--no-color` win; then NO_COLOR (any value) turns colour off, FORCE_COLOR on; else a terminal gets colour. */
function useColor (flag: boolean | undefined, io: CliIo): boolean {
  if (flag !== undefined) return flag
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false
  if (io.env.FORCE_COLOR !== undefined) return io.env.FORCE_COLOR !== '0'
  return io.isTTY === true
}

function usage (io: CliIo, message: string): number {
  io.stderr(`gateway lint: ${message}\n\n${USAGE}`)
  return EXIT.USAGE
}
