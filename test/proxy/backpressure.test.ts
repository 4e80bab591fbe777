import { createServer, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { createHash } from 'node:crypto'
import t from 'tap'
import { startGateway } from '../helpers/start-gateway.js'

// A large answer to a device that reads slowly: the gateway pauses the upstream response while
// the device's socket is full and resumes it when the device reads (the response's 'drain'), so
// it never buffers the whole answer, and the device gets every byte.

const TOTAL = 32 * 1024 * 1024
const CHUNK = 64 * 1024

t.test('a device that stops reading stops the upstream; reading again resumes it, every byte arrives', async (t) => {
  let written = 0
  let stuck: () => void = () => {}
  const stalled = new Promise<void>((resolve) => { stuck = resolve })
  const up = createServer((req, res: ServerResponse) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/vnd.ms-sync.wbxml', 'content-length': String(TOTAL) })
    const pump = (): void => {
      while (written < TOTAL) {
        const ok = res.write(Buffer.alloc(CHUNK, written / CHUNK % 251))
        written += CHUNK
        if (!ok) {
          // No drain within 500 ms: the backpressure went all the way back to this socket.
          const timer = setTimeout(() => { stuck() }, 500)
          res.once('drain', () => { clearTimeout(timer); pump() })
          return
        }
      }
      res.end()
      stuck() // all written without a stall: the assertion below says so
    }
    pump()
  })
  await new Promise<void>((resolve) => up.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { up.closeAllConnections(); up.close() })
  const port = (up.address() as { port: number }).port
  const gw = await startGateway(t, `http://127.0.0.1:${port}`)

  const dev = connect(gw.port, '127.0.0.1')
  t.teardown(() => { dev.destroy() })
  await new Promise<void>((resolve) => dev.once('connect', resolve))
  dev.pause()
  dev.write('POST /Microsoft-Server-ActiveSync?Cmd=ItemOperations&User=u&DeviceId=D1&DeviceType=iPhone HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')
  await stalled
  const atStall = written
  t.ok(atStall < TOTAL / 2, `the upstream was held back after ${(atStall / 1048576).toFixed(1)} of ${TOTAL / 1048576} MiB`)

  const hash = createHash('sha256')
  let body = 0
  let head = ''
  await new Promise<void>((resolve, reject) => {
    dev.on('data', (c: Buffer) => {
      let b = c
      if (head.indexOf('\r\n\r\n') === -1) {
        head += c.toString('latin1')
        const end = head.indexOf('\r\n\r\n')
        if (end === -1) return
        b = c.subarray(c.length - (head.length - end - 4))
      }
      hash.update(b)
      body += b.length
      if (body >= TOTAL) resolve()
    })
    dev.on('error', reject)
    dev.resume()
  })
  t.match(head, /^HTTP\/1\.1 200 /)
  const want = createHash('sha256')
  for (let i = 0; i < TOTAL / CHUNK; i++) want.update(Buffer.alloc(CHUNK, i % 251))
  t.equal(body, TOTAL, 'every byte')
  t.equal(hash.digest('hex'), want.digest('hex'), 'in order, unchanged')
})
