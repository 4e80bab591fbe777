import { readFileSync } from 'node:fs'

/** A test mail account of a fixture. */
export interface FixtureUser { user: string; password: string; email: string }

/**
 * The settings a fixture's start script (sogo-up.sh, horde-up.sh) wrote to `<stateDir>/fixture.env`,
 * read through an environment variable, then that file, then `dflt`. Cheap; no network. Before the
 * fixture was started the file is missing and the defaults apply.
 */
export function fixtureSettings (stateDir: string): (key: string, dflt: string) => string {
  const file: Record<string, string> = {}
  try {
    for (const line of readFileSync(`${stateDir}/fixture.env`, 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line)
      if (m) file[m[1]!] = m[2]!
    }
  } catch {
    /* not started yet: defaults apply */
  }
  return (k, dflt) => process.env[k] ?? file[k] ?? dflt
}

/** `user:password user:password ...` as accounts of `domain`; at least two (`name` is the variable, for the error). */
export function parseTestUsers (value: string, domain: string, name: string): FixtureUser[] {
  const users = value
    .split(/\s+/)
    .filter(Boolean)
    .map((e) => {
      const i = e.indexOf(':')
      const user = e.slice(0, i)
      return { user, password: e.slice(i + 1), email: `${user}@${domain}` }
    })
  if (users.length < 2) throw new Error(`${name} must name at least two users (user:password ...)`)
  return users
}
