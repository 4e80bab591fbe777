import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The folder holding the gateway's package.json, found by walking up from this file. Works from
 * the TypeScript sources (lib/) and from the build (dist/lib/) alike; `policies/` lives there.
 */
export function packageRoot (): string {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'eas-gateway') {
      cached = dir
      return dir
    }
    const up = dirname(dir)
    if (up === dir) throw new Error('eas-gateway package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
}

/** The gateway's version from package.json. */
export function packageVersion (): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version
}

/** package.json `homepage`, when it has one (rule help in SARIF links to it). */
export function packageHomepage (): string | undefined {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { homepage?: string }).homepage
}
