// Bench hold client: simulated devices, each on its own raw TCP connection, sending one EAS Ping
// that the upstream holds. Driven over IPC by bench/run.mjs:
//   {cmd:'open', n}   open connections until n are open (ramped: BATCH per TICK ms); replies
//                     {opened, errors, answered} once every socket has written its request.
//                     A connection that fails or is closed by the proxy is counted in `errors`
//                     and replaced (bounded), so the target is still reached
//   {cmd:'destroy'}   destroy every socket at once (the devices vanish); replies {destroyed}
//   {cmd:'exit'}
// Usage: node bench/hold-client.mjs PORT   (forked with an IPC channel)
import { connect } from 'node:net'

const port = Number(process.argv[2])
const BATCH = 250
const TICK = 50
// WBXML Ping, HeartbeatInterval 600: 03 01 6A 00 | SWITCH_PAGE 0x0D | Ping | HeartbeatInterval STR_I "600" END END
const PING = Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x00, 0x0d, 0x45, 0x48, 0x03, 0x36, 0x30, 0x30, 0x00, 0x01, 0x01])
const AUTH = 'Basic ' + Buffer.from('bench:bench').toString('base64')

const sockets = new Set()
let errors = 0
let answered = 0
let seq = 0
let connecting = 0
let destroying = false

function request (i) {
  return Buffer.concat([Buffer.from(
    `POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=bench&DeviceId=HOLD${i}&DeviceType=iPhone HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${port}\r\n` +
    `Authorization: ${AUTH}\r\n` +
    'MS-ASProtocolVersion: 14.1\r\n' +
    'User-Agent: Apple-iPhone/1705.20\r\n' +
    'Content-Type: application/vnd.ms-sync.wbxml\r\n' +
    `Content-Length: ${PING.length}\r\n\r\n`), PING])
}

/** Opens one device connection; a failure or a close by the other side is counted in `errors`. */
function openOne () {
  connecting++
  const s = connect({ port, host: '127.0.0.1' })
  let written = false
  s.on('connect', () => { s.write(request(++seq), () => { written = true; connecting-- }) })
  s.on('data', () => { answered++ })
  s.on('error', () => {})
  s.on('close', () => {
    sockets.delete(s)
    if (!written) connecting--
    if (!destroying) errors++
  })
  sockets.add(s)
}

/** Ramps up to n open connections, replacing failed ones (bounded: 60 s, at most n failures). */
async function openUntil (n) {
  destroying = false
  const deadline = Date.now() + 60_000
  const maxErrors = errors + n
  while (Date.now() < deadline && errors < maxErrors && (sockets.size < n || connecting > 0)) {
    const batch = Math.min(BATCH, n - sockets.size)
    for (let i = 0; i < batch; i++) openOne()
    await new Promise((resolve) => setTimeout(resolve, TICK))
  }
  return { opened: sockets.size, errors, answered }
}

process.on('message', async (m) => {
  if (m.cmd === 'open') process.send({ ...(await openUntil(m.n)), cmd: 'open' })
  else if (m.cmd === 'destroy') {
    destroying = true
    const n = sockets.size
    for (const s of sockets) s.destroy()
    sockets.clear()
    process.send({ cmd: 'destroy', destroyed: n })
  } else if (m.cmd === 'exit') process.exit(0)
})
process.on('disconnect', () => process.exit(0))
