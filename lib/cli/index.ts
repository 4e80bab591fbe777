import { GatewayError } from '../errors.js'
import { formatCliError, toCliError } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'

const USAGE = `usage: gateway <command> [options]

commands:
  serve [-c FILE]          run the gateway (without -c: the built-in demo)
  check -c FILE            validate a gateway config with the same checks serve runs
  lint TOPOLOGY.yaml...    prove every hop's timeout on the path outlasts the heartbeat
  probe URL | --listen     measure a live path's idle timeout (and the server side of it)
  help                     this text
  --version                print the version
`

/** The CLI: dispatches lazily to a subcommand and resolves with the exit code. */
export async function cli (argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve': return await (await import('./serve.js')).runServe(rest, io)
      case 'check': return await (await import('./check.js')).runCheck(rest, io)
      case 'lint': return await (await import('./lint.js')).runLint(rest, io)
      case 'probe': return await (await import('./probe.js')).runProbe(rest, io)
      case 'help': case '--help': case '-h': io.stdout(USAGE); return EXIT.OK
      case '--version': case 'version': io.stdout(`${(await import('../package-root.js')).packageVersion()}\n`); return EXIT.OK
      case undefined: io.stderr(USAGE); return EXIT.USAGE
      default: throw new GatewayError('GW_ERR_CLI_USAGE', `unknown command "${command}"`)
    }
  } catch (err) {
    // Every refusal (usage, unreadable or invalid configuration) leaves through here: exit 2.
    const known = toCliError(err)
    if (known === undefined) throw err
    io.stderr(formatCliError(known, command === 'serve' || command === 'check' || command === 'lint' ? command : undefined))
    return EXIT.USAGE
  }
}

export type { CliIo } from './io.js'
export { EXIT } from './io.js'
