#!/usr/bin/env node
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { text } from 'node:stream/consumers'
import { cli } from '../lib/cli/index.js'

// The only code that touches process.*: argv, env, stdio, signals and the exit code.
process.stderr.on('error', () => {}) // a failing stderr costs messages, never the gateway (issue 9)
const code = await cli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readFile: async (p) => await readFile(p, 'utf8'),
  readStdin: async () => await text(process.stdin),
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
  env: process.env,
  onShutdown: (handler) => { process.once('SIGTERM', handler); process.once('SIGINT', handler) },
  onReload: (handler) => { process.on('SIGHUP', () => { void handler() }) },
  onUpgrade: (handler) => { process.on('SIGUSR2', () => { void handler() }) },
  cluster: { cores: availableParallelism(), entry: fileURLToPath(import.meta.url) }
})
process.exitCode = code
// A write stuck on a hung log destination must not hold the exit: force it 2 s after cli() resolved.
setTimeout(() => { process.exit(code) }, 2000).unref()
