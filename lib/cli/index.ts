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
      default: io.stderr(`gateway: GW_ERR_CLI_USAGE: unknown command "${command}"\n\n${USAGE}`); return EXIT.USAGE
    }
  } catch (err) {
    const code = (err as { code?: string }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`gateway ${command ?? ''}: GW_ERR_CLI_USAGE: ${(err as Error).message}\n`)
      return EXIT.USAGE
    }
    throw err
  }
}

export type { CliIo } from './io.js'
export { EXIT } from './io.js'
