// Issue #14 probe (not part of npm run bench): an upstream that holds every request, HTTP/1.1 or h2c.
// Usage: node bench/h2-held-server.mjs h1|h2 PORT   (then bench/h2-held-client.mjs against it)
import http2 from 'node:http2'
import http from 'node:http'
const [mode, port] = [process.argv[2], Number(process.argv[3])]
const held = new Set()
const handler = (req, res) => { held.add(res); req.resume(); res.on('close', () => held.delete(res)); if (req.url.startsWith('/__release')) { for (const r of held) if (r !== res) r.end('x'); res.end('ok') } }
const s = mode === 'h2' ? http2.createServer({ settings: { maxConcurrentStreams: 128 } }, handler) : http.createServer(handler)
s.listen(port, '127.0.0.1', () => console.log('listening'))
