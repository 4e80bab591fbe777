import { formatDiagnostic, type Diagnostic } from '../config/index.js'
import { GatewayError, isGatewayError } from '../errors.js'

/**
 * The one place the CLI turns an error into the line a user reads: `gateway[ sub]: CODE: message`.
 * Subcommands throw GatewayError (GW_ERR_CONFIG_*, GW_ERR_CLI_USAGE); node's parseArgs errors
 * (`ERR_PARSE_ARGS_*`) are usage errors too. Anything else is a bug and is not formatted here.
 */
export function toCliError (err: unknown): GatewayError | undefined {
  if (isGatewayError(err)) return err
  const code = errorCode(err)
  if (err instanceof Error && code?.startsWith('ERR_PARSE_ARGS') === true) return new GatewayError('GW_ERR_CLI_USAGE', err.message, { cause: err })
  return undefined
}

/**
 * `gateway check: GW_ERR_CLI_USAGE: ...` plus a newline, after the findings attached to the error
 * (`file:line:col severity CODE rule: message`, as `gateway check` prints them).
 */
export function formatCliError (err: GatewayError, command?: string): string {
  const findings = (err.diagnostics ?? []).filter(isDiagnostic).map((d) => formatFinding(d))
  return findings.join('') + `gateway${command !== undefined ? ` ${command}` : ''}: ${err.code}: ${err.message}\n`
}

/** One finding and its hint, as check, serve and the refusal above print them. */
export function formatFinding (d: Diagnostic): string {
  return formatDiagnostic(d) + (d.hint !== undefined ? `\n  hint: ${d.hint}` : '') + '\n'
}

function isDiagnostic (d: unknown): d is Diagnostic {
  return typeof d === 'object' && d !== null && 'code' in d && 'file' in d && 'line' in d && 'message' in d
}

/** The fs error code (`ENOENT`) or message of a failed read, for GW_ERR_CONFIG_UNREADABLE. */
export function readFailure (err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err))
}

/** Node's `err.code` (`ENOENT`, `ERR_PARSE_ARGS_UNKNOWN_OPTION`), when there is one. */
export function errorCode (err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

/** Reads a file the user named, or throws GW_ERR_CONFIG_UNREADABLE naming it as `shown`. */
export async function readOrThrow (read: (path: string) => Promise<string>, path: string, shown: string): Promise<string> {
  try {
    return await read(path)
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_UNREADABLE', `${shown}: ${readFailure(err)}`, { cause: err })
  }
}
