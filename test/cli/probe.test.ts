import t from 'tap'
import { runProbe } from '../../lib/cli/probe.js'
import { PROBE_DELAY_HEADER } from '../../lib/probe/index.js'
import { memoryIo } from '../lint/lint-helpers.js'

t.test('gateway probe --listen serves until shutdown; gateway probe measures through it', async (t) => {
  let shutdown: (() => void) | undefined
  let listening: (url: string) => void = () => {}
  const ready = new Promise<string>((resolve) => { listening = resolve })
  const base = memoryIo()
  const io = {
    ...base,
    stdout: (s: string) => { base.stdout(s); const m = /listening on (http:\/\/\S+)/.exec(s); if (m?.[1] !== undefined) listening(m[1]) },
    onShutdown: (h: () => void) => { shutdown = h }
  }
  const running = runProbe(['--listen', '--port', '0'], io)
  const url = await ready
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'prints its URL')
  const res = await fetch(`${url}/Microsoft-Server-ActiveSync`, { headers: { [PROBE_DELAY_HEADER]: '50' } })
  t.equal(res.status, 200)
  t.match(await res.text(), /^gateway-probe ok 50 /)
  const probe = memoryIo()
  t.equal(await runProbe([`${url}/x`, '--min', '100ms', '--max', '300ms', '--parallel', '2', '--format', 'json'], probe), 0)
  const doc = JSON.parse(probe.out()) as { bracket: { answeredMs: number }, probes: unknown[], agrees: null }
  t.equal(doc.bracket.answeredMs, 300, 'nothing cuts up to --max')
  t.equal(doc.agrees, null)
  const text = memoryIo()
  await runProbe([`${url}/x`, '--min', '100ms', '--max', '200ms', '--parallel', '1', '--max-probes', '1'], text)
  t.match(text.out(), /^no cut: the path let a request stay silent for 0\.200s \(the --max bound\)$/m)
  t.match(text.out(), /timeouts: \{ idle-timeout: none \}/)
  shutdown?.()
  t.equal(await running, 0, 'exits 0 on shutdown')
})

t.test('usage errors exit 2', async (t) => {
  for (const argv of [[], ['ftp://x'], ['http://127.0.0.1:1/', '--min', '2s', '--max', '1s'], ['http://127.0.0.1:1/', '--format', 'xml'], ['--listen', '--port', '99999'], ['--bogus']]) {
    const io = memoryIo()
    t.equal(await runProbe(argv, io), 2, argv.join(' '))
    t.match(io.err(), /^gateway probe: /)
  }
  const help = memoryIo()
  t.equal(await runProbe(['--help'], help), 0)
  t.match(help.out(), /^usage: gateway probe/)
})
