import { basename, dirname, isAbsolute, join } from 'node:path'
import type { Balancing } from '../catalog-types.js'
import type { Diagnostic } from '../diagnostic.js'
import { parseNginx, type NginxDirective } from './nginx-parse.js'
import { noBlock, splitMatch, unreadableInclude, type VendorIo, type VendorLocation, type VendorRead, type VendorValue } from './vendor-hop.js'

/** Includes nest at most this deep (nginx has no limit; a loop must not hang the linter). */
const MAX_INCLUDE_DEPTH = 10

interface Ctx { readonly io: VendorIo, readonly root: string, readonly texts: Map<string, string>, readonly diags: Diagnostic[] }

/**
 * Reads an nginx configuration the way nginx does for one request: `include`s resolved relative
 * to the main file's folder (nginx's conf prefix with `-c`), globs included in name order, then
 * the `http` › `server` › `location` that serves `match` (`[host]/path`, default the EAS path)
 * by nginx's location rules (exact `=`, longest prefix, `^~`, then regexes in order), with each
 * wanted directive inherited from the innermost level that sets it.
 */
export async function readNginx (file: string, text: string, wanted: readonly string[], match: string | undefined, io: VendorIo): Promise<VendorRead> {
  const ctx: Ctx = { io, root: dirname(file), texts: new Map([[file, text]]), diags: [] }
  const top = await expand(ctx, parsed(ctx, file, text), 0)
  const { host, path } = splitMatch(match)
  const fileAt: VendorLocation = { file, line: 1, col: 1 }
  const http = top.find((d) => d.name === 'http')
  if (http?.block === undefined) return { texts: ctx.texts, diagnostics: [...ctx.diags, noBlock(fileAt, 'no "http" block: nginx serves no HTTP here')] }
  const servers = http.block.filter((d) => d.name === 'server' && d.block !== undefined)
  const byHost = host === undefined ? servers : servers.filter((s) => serves(s, host))
  let chosen: { server: NginxDirective, locations: NginxDirective[] } | undefined
  for (const s of byHost) {
    const locations = matchLocation(s.block ?? [], path)
    if (locations.length > 0) { chosen = { server: s, locations }; break }
  }
  if (chosen === undefined) {
    const where = host === undefined ? '' : ` for host ${host}`
    return { texts: ctx.texts, diagnostics: [...ctx.diags, noBlock(http.at, `no server${where} has a location that serves ${path}`)] }
  }
  const levels = [http, chosen.server, ...chosen.locations]
  const values = new Map<string, VendorValue>()
  for (const name of wanted) {
    for (const level of levels) {
      const d = level.block?.find((x) => x.name === name)
      if (d !== undefined && d.args[0] !== undefined) values.set(name, { raw: d.args[0], key: d.at, at: d.argAt[0] ?? d.at })
    }
  }
  const inner = chosen.locations[chosen.locations.length - 1] as NginxDirective
  const balancing = upstreamBalancing(http, levels)
  return {
    texts: ctx.texts,
    diagnostics: ctx.diags,
    hop: {
      values,
      block: inner.at,
      described: `server ${serverName(chosen.server)} › ${chosen.locations.map((l) => `location ${l.args.join(' ')}`).join(' › ')}`,
      ...(balancing !== undefined ? { balancing } : {})
    }
  }
}

function parsed (ctx: Ctx, file: string, text: string): NginxDirective[] {
  const p = parseNginx(text, file)
  ctx.diags.push(...p.diagnostics)
  return p.directives
}

/** Replaces `include` directives (at any level) by the directives of the files they name. */
async function expand (ctx: Ctx, list: readonly NginxDirective[], depth: number): Promise<NginxDirective[]> {
  const out: NginxDirective[] = []
  for (const d of list) {
    if (d.name === 'include' && d.args[0] !== undefined && d.block === undefined) {
      if (depth >= MAX_INCLUDE_DEPTH) { ctx.diags.push(unreadableInclude(d.at, d.args[0], new Error(`includes nested deeper than ${MAX_INCLUDE_DEPTH}`))); continue }
      for (const name of await includeFiles(ctx, d)) {
        let text: string
        try { text = await ctx.io.readFile(name) } catch (err) { ctx.diags.push(unreadableInclude(d.at, name, err)); continue }
        ctx.texts.set(name, text)
        out.push(...await expand(ctx, parsed(ctx, name, text), depth + 1))
      }
      continue
    }
    out.push(d.block === undefined ? d : { ...d, block: await expand(ctx, d.block, depth) })
  }
  return out
}

/** The files an include names: relative to the main file's folder; a `*` in the last part matches names. */
async function includeFiles (ctx: Ctx, d: NginxDirective): Promise<string[]> {
  const arg = d.args[0] as string
  const name = isAbsolute(arg) ? arg : join(ctx.root, arg)
  if (!/[*?[]/.test(basename(name))) return [name]
  const re = new RegExp('^' + basename(name).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$')
  let names: string[] = []
  try { names = await ctx.io.listFiles?.(dirname(name)) ?? [] } catch { names = [] } // nginx: a glob matching nothing is fine
  return names.filter((n) => re.test(n)).sort().map((n) => join(dirname(name), n))
}

/** server_name: exact, `*.example.com`, `.example.com`, `mail.*`, `~regex`. */
function serves (server: NginxDirective, host: string): boolean {
  const names = server.block?.filter((d) => d.name === 'server_name').flatMap((d) => d.args) ?? []
  return names.some((n) => {
    if (n.startsWith('~')) { try { return new RegExp(n.slice(1), 'i').test(host) } catch { return false } }
    if (n.startsWith('.')) return host === n.slice(1) || host.endsWith(n)
    if (n.startsWith('*.')) return host.endsWith(n.slice(1))
    if (n.endsWith('.*')) return host.startsWith(n.slice(0, -1))
    return n.toLowerCase() === host.toLowerCase()
  })
}

function serverName (server: NginxDirective): string {
  return server.block?.find((d) => d.name === 'server_name')?.args[0] ?? `(line ${server.at.line})`
}

/** The location chain (outer to inner) nginx picks for `path` in a server or location block. */
function matchLocation (block: readonly NginxDirective[], path: string): NginxDirective[] {
  const locs = block.filter((d) => d.name === 'location' && d.block !== undefined)
  const mod = (l: NginxDirective): string => (l.args.length > 1 ? l.args[0] : '') as string
  const arg = (l: NginxDirective): string => l.args[l.args.length - 1] ?? ''
  const nest = (l: NginxDirective): NginxDirective[] => [l, ...matchLocation(l.block ?? [], path)]
  const exact = locs.find((l) => mod(l) === '=' && arg(l) === path)
  if (exact !== undefined) return [exact]
  let longest: NginxDirective | undefined
  for (const l of locs) {
    if ((mod(l) === '' || mod(l) === '^~') && !arg(l).startsWith('@') && path.startsWith(arg(l)) && (longest === undefined || arg(l).length > arg(longest).length)) longest = l
  }
  if (longest !== undefined && mod(longest) === '^~') return nest(longest)
  for (const l of locs) {
    if (mod(l) !== '~' && mod(l) !== '~*') continue
    try { if (new RegExp(arg(l), mod(l) === '~*' ? 'i' : '').test(path)) return nest(l) } catch { /* PCRE-only syntax: nginx would take it, we cannot tell */ }
  }
  return longest !== undefined ? nest(longest) : []
}

/**
 * The balancing method of the `upstream` the innermost `proxy_pass` names (least_conn, hash,
 * ip_hash, random; round-robin by default); `single` for one server or a literal address.
 */
function upstreamBalancing (http: NginxDirective, levels: readonly NginxDirective[]): { value: Balancing, at: VendorLocation } | undefined {
  let pass: NginxDirective | undefined
  for (const l of levels) pass = l.block?.find((d) => d.name === 'proxy_pass') ?? pass
  const target = pass?.args[0]?.replace(/^\w+:\/\//, '').replace(/[/:].*$/, '')
  if (pass === undefined || target === undefined) return undefined
  const up = http.block?.find((d) => d.name === 'upstream' && d.args[0] === target && d.block !== undefined)
  if (up === undefined) return { value: 'single', at: pass.at }
  const method = up.block?.find((d) => ['least_conn', 'hash', 'ip_hash', 'random'].includes(d.name))
  if (method !== undefined) return { value: method.name === 'least_conn' ? 'least-connections' : method.name === 'random' ? 'other' : 'hash', at: method.at }
  const servers = up.block?.filter((d) => d.name === 'server') ?? []
  return { value: servers.length === 1 ? 'single' : 'round-robin', at: up.at }
}
