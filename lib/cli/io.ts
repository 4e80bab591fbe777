import type { LogWrite } from '../log/index.js'

/** What a subcommand may touch of the outside world: injected so tests run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Reads a file as UTF-8 (rejects with the fs error). */
  readonly readFile: (path: string) => Promise<string>
  /** Working directory for relative paths. */
  readonly cwd: string
  /** Environment (NO_COLOR and the like); never read from process.env inside lib/. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads all of standard input (`gateway lint -`); absent: stdin is not available. */
  readonly readStdin?: () => Promise<string>
  /** Standard output is a terminal (colour by default). Default: false */
  readonly isTTY?: boolean
  /** Registers the shutdown handler (SIGTERM/SIGINT in bin/; tests call it directly). */
  readonly onShutdown?: (handler: () => void) => void
  /** Registers the reload handler (SIGHUP in bin/; tests call it and await it). It never rejects. */
  readonly onReload?: (handler: () => Promise<void>) => void
  /** Registers the upgrade handler (SIGUSR2 in bin/: roll the workers onto the build on disk). It never rejects. */
  readonly onUpgrade?: (handler: () => Promise<void>) => void
  /**
   * Several processes (bin/ only): the cores to use by default and the script a worker runs.
   * Absent (in-process tests): `serve` runs one process unless --workers says otherwise.
   */
  readonly cluster?: { readonly cores: number, readonly entry: string }
  /** Where `serve` writes its log lines (the fs.write contract). Default: fd 1, batched and never blocking */
  readonly logWrite?: LogWrite
}

/** Exit codes shared by every subcommand: 0 ok, 1 findings/failure, 2 could not run (usage, I/O). */
export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2 } as const
