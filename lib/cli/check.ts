import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkAccessFiles } from './check-access-files.js'
import { checkConfig } from './check-config.js'
import { EXIT, type CliIo } from './io.js'
import { readConfigFiles } from './read-config-files.js'

/** `gateway check -c FILE`: the checks `serve` runs at start-up, without binding any port. */
export async function runCheck (argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } })
  if (values.config === undefined) { io.stderr('gateway check: -c FILE is required\n'); return EXIT.USAGE }
  let text: string
  try { text = await io.readFile(resolve(io.cwd, values.config)) } catch (err) {
    io.stderr(`gateway: GW_ERR_CONFIG_UNREADABLE: cannot read ${values.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return EXIT.USAGE
  }
  // Same checks and stream as serve's start-up refusal (and nginx -t): the findings are why the config is refused.
  const { config } = checkConfig(text, values.config, io)
  if (config === undefined) return EXIT.USAGE
  // The files the config names (TLS key/cert, upstream CAs): serve refuses to start without them.
  const files = await readConfigFiles(config, dirname(resolve(io.cwd, values.config)), io)
  if (typeof files === 'string') { io.stderr(files); return EXIT.USAGE }
  if (!await checkAccessFiles(config, dirname(resolve(io.cwd, values.config)), io)) return EXIT.USAGE
  io.stderr(`${values.config}: OK\n`)
  return EXIT.OK
}
