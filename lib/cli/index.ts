import { GatewayError } from '../errors.js'
import { packageVersion } from '../package-root.js'
import { formatCliError, toCliError } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'

const USAGE = `usage: gateway <command> [options]

commands:
  serve [-c FILE]          run the gateway (without -c: the built-in demo)
  check -c FILE            validate a gateway config with the same checks serve runs
  lint TOPOLOGY.yaml...    prove every hop's timeout on the path outlasts the heartbeat
  probe URL | --listen     measure a live path's idle timeout (and the server side of it)
  healthcheck [-c FILE]    ask a running gateway's /healthz on its configured admin port
  trace --device ID        follow one device's requests and answers through a running gateway
  help [COMMAND]           this text, or one command's options (same as gateway COMMAND --help)

options:
  -V, --version            print the version and exit
  -h, --help               this text

environment:
  EAS_GATEWAY_CONFIG       the config file serve, check and healthcheck read when -c is not given

exit codes: 0 ok, 1 findings or failure, 2 could not run (usage, unreadable or invalid configuration)
`

const COMMANDS = ['serve', 'check', 'lint', 'probe', 'healthcheck', 'trace'] as const

/** The CLI: dispatches lazily to a subcommand and resolves with the exit code. */
export async function cli (argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve': return await (await import('./serve.js')).runServe(rest, io)
      case 'check': return await (await import('./check.js')).runCheck(rest, io)
      case 'lint': return await (await import('./lint.js')).runLint(rest, io)
      case 'probe': return await (await import('./probe.js')).runProbe(rest, io)
      case 'healthcheck': return await (await import('./healthcheck.js')).runHealthcheck(rest, io)
      case 'trace': return await (await import('./trace.js')).runTrace(rest, io)
      case 'help': case '--help': case '-h': return await help(rest, io)
      case 'version': case '--version': case '-V': io.stdout(`${packageVersion()}\n`); return EXIT.OK
      case undefined: io.stderr(USAGE); return EXIT.USAGE
      default: throw new GatewayError('GW_ERR_CLI_USAGE', `unknown command "${command}"`)
    }
  } catch (err) {
    // Every refusal (usage, unreadable or invalid configuration) leaves through here: exit 2.
    const known = toCliError(err)
    if (known === undefined) throw err
    io.stderr(formatCliError(known, COMMANDS.find((c) => c === command)))
    return EXIT.USAGE
  }
}

/** `gateway help [COMMAND]`: the overview, or the command's own `--help`. */
async function help (rest: readonly string[], io: CliIo): Promise<number> {
  const [topic, ...extra] = rest
  if (topic === undefined) { io.stdout(USAGE); return EXIT.OK }
  const known = COMMANDS.find((c) => c === topic)
  if (known === undefined || extra.length > 0) throw new GatewayError('GW_ERR_CLI_USAGE', `no help for "${rest.join(' ')}": commands are ${COMMANDS.join(', ')}`)
  return await cli([known, '--help'], io)
}

export type { CliIo } from './io.js'
export { EXIT } from './io.js'
