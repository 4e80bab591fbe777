import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { GatewayError } from '../errors.js'
import { checkAccessFiles } from './check-access-files.js'
import { checkConfig } from './check-config.js'
import { readOrThrow } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'
import { readConfigFiles } from './read-config-files.js'

const USAGE = `usage: gateway check -c FILE

Validates a gateway config with every check \`gateway serve\` runs at start-up (structure, the
timeout invariants, the TLS and CA files it names), without binding any port. Findings go to
stderr as file:line:col severity CODE rule: message, with a hint.

options:
  -c, --config FILE    the gateway config (default: $EAS_GATEWAY_CONFIG)
  -h, --help           this text

exit codes: 0 the config would start, 2 it would be refused (or the file cannot be read)
`

/** `gateway check -c FILE`: the checks `serve` runs at start-up, without binding any port. */
export async function runCheck (argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) { io.stdout(USAGE); return EXIT.OK }
  const shown = values.config ?? io.env.EAS_GATEWAY_CONFIG
  if (shown === undefined) throw new GatewayError('GW_ERR_CLI_USAGE', 'gateway check needs -c FILE (or EAS_GATEWAY_CONFIG)')
  const file = resolve(io.cwd, shown)
  const text = await readOrThrow(io.readFile, file, shown)
  // Same checks and stream as serve's start-up refusal (and nginx -t): the findings are why the config is refused.
  const { config, loaded } = checkConfig(text, shown, io)
  if (config === undefined) return EXIT.USAGE
  // The files the config names (TLS key/cert, upstream CAs): serve refuses to start without them.
  await readConfigFiles({ ...loaded, config }, dirname(file), io)
  if (!await checkAccessFiles(config, dirname(file), io)) return EXIT.USAGE
  io.stderr(`${shown}: OK\n`)
  return EXIT.OK
}
