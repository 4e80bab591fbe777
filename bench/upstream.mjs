// Bench upstream: a minimal EAS-shaped origin shared by every configuration of `npm run bench`.
//   POST …?Cmd=Ping…  reads the body and holds the response until the connection goes away
//                     (or GET /__release); `held` counts responses still waiting.
//   POST …(any other) reads the body, answers 200 with a 61-byte WBXML-typed body.
//   GET  /__stats     {"held","completed","released","closedEarly"} as JSON.
//   GET  /__release   answers every held Ping (200, empty) so the next phase starts clean.
// Usage: node bench/upstream.mjs PORT [H2PORT]   (prints "listening PORT" once bound)
//   H2PORT: the same origin also speaks h2c (prior knowledge, node:http2, at most 128 concurrent
//   streams per connection like nginx's default) there, for a gateway with upstreams[].http2;
//   and HTTP/1.1 on that same port (a connection is told apart by its first bytes, the h2
//   preface "PRI * HTTP/2.0"), for upstreams[].http2For: pings.
import { createServer } from 'node:http'
import { createServer as createH2Server } from 'node:http2'
import { createServer as createNetServer } from 'node:net'

const port = Number(process.argv[2] ?? 0)
const SYNC_BODY = Buffer.alloc(61, 0x41)
const held = new Set()
let completed = 0
let released = 0
let closedEarly = 0

function handle (req, res) {
  const url = req.url ?? '/'
  if (url === '/__stats') {
    const body = JSON.stringify({ held: held.size, completed, released, closedEarly })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  if (url === '/__release') {
    const n = held.size
    for (const r of held) { r.writeHead(200, { 'content-length': '0' }); r.end() }
    held.clear()
    released += n
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`${n}\n`)
    return
  }
  const isPing = /[?&]cmd=ping(&|$)/i.test(url)
  req.on('data', () => {})
  req.on('end', () => {
    if (isPing) {
      held.add(res)
      res.on('close', () => {
        if (held.delete(res)) closedEarly++
      })
      return
    }
    res.writeHead(200, { 'content-type': 'application/vnd.ms-sync.wbxml', 'content-length': SYNC_BODY.length })
    res.end(SYNC_BODY)
    completed++
  })
}
function http1Server () {
  const server = createServer(handle)
  server.keepAliveTimeout = 120_000
  server.headersTimeout = 60_000
  server.requestTimeout = 0
  server.timeout = 0
  server.maxHeadersCount = 100
  return server
}
const server = http1Server()
const h2Port = process.argv[3]
if (h2Port !== undefined) {
  const h2 = createH2Server({ settings: { maxConcurrentStreams: 128 } }, handle)
  const h1 = http1Server()
  createNetServer((socket) => {
    socket.once('data', (first) => {
      socket.pause()
      socket.unshift(first)
      const isH2 = first.subarray(0, 3).toString('latin1') === 'PRI'
      ;(isH2 ? h2 : h1).emit('connection', socket)
      // node:http2 reads what is buffered itself; node:http's parser needs the stream resumed.
      if (!isH2) socket.resume()
    })
  }).listen(Number(h2Port), '127.0.0.1')
}
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
