import { EXIT, type CliIo } from './io.js'

/** `gateway lint`: placeholder until the topology linter lands. */
export async function runLint (_argv: string[], io: CliIo): Promise<number> {
  io.stderr('gateway lint: not available in this build\n')
  return EXIT.USAGE
}
