import t from 'tap'
import { formatCliError, readOrThrow, toCliError } from '../../lib/cli/cli-error.js'
import { cli } from '../../lib/cli/index.js'
import { GatewayError } from '../../lib/errors.js'

t.test('catalog errors are formatted in one shape: gateway[ sub]: CODE: message', async (t) => {
  const e = new GatewayError('GW_ERR_CONFIG_UNREADABLE', 'gw.yaml: ENOENT')
  t.equal(formatCliError(e), 'gateway: GW_ERR_CONFIG_UNREADABLE: cannot read gw.yaml: ENOENT\n')
  t.equal(formatCliError(e, 'check'), 'gateway check: GW_ERR_CONFIG_UNREADABLE: cannot read gw.yaml: ENOENT\n')
})

t.test('parseArgs errors become GW_ERR_CLI_USAGE; other errors are not the CLI\'s to format', async (t) => {
  const parse = Object.assign(new TypeError('Unknown option \'--x\''), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
  t.match(toCliError(parse), { code: 'GW_ERR_CLI_USAGE', message: /Unknown option '--x'/ })
  t.equal(toCliError(new Error('bug')), undefined)
  t.equal(toCliError(Object.assign(new Error('x'), { code: 'ENOENT' })), undefined)
})

t.test('readOrThrow names the file and the fs code', async (t) => {
  const enoent = Object.assign(new Error('nope'), { code: 'ENOENT' })
  await t.rejects(readOrThrow(async () => { throw enoent }, '/abs/gw.yaml', 'gw.yaml'), { code: 'GW_ERR_CONFIG_UNREADABLE', message: 'cannot read gw.yaml: ENOENT', cause: enoent })
  t.equal(await readOrThrow(async () => 'text', '/abs/gw.yaml', 'gw.yaml'), 'text')
})

t.test('an unknown command is refused through the same formatter', async (t) => {
  let err = ''
  const code = await cli(['frobnicate'], { stdout: () => {}, stderr: (s) => { err += s }, readFile: async () => '', cwd: '/', env: {} })
  t.equal(code, 2)
  t.equal(err, 'gateway: GW_ERR_CLI_USAGE: unknown command "frobnicate" (see gateway help)\n')
})
