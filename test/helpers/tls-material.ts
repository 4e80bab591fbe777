import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A test CA and a server certificate it signed, PEM. */
export interface TlsMaterial {
  readonly caCert: string
  readonly key: string
  readonly cert: string
  /** The DNS name in the server certificate (it also carries IP 127.0.0.1). */
  readonly servername: string
}

/**
 * Makes a throwaway CA and a server certificate for `mail.test` with the system's openssl (no key
 * material is committed). Returns a reason string when openssl is not available.
 */
export function createTlsMaterial (): TlsMaterial | string {
  const dir = mkdtempSync(join(tmpdir(), 'eas-gw-tls-'))
  const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }) }
  try {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
      '-subj', '/CN=eas-gateway test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=mail.test')
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:mail.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf')
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
    return { caCert: read('ca.crt'), key: read('server.key'), cert: read('server.crt'), servername: 'mail.test' }
  } catch (err) {
    return `openssl could not make test certificates (${(err as Error).message.split('\n')[0] ?? ''}); install openssl to run the TLS tests`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A CA, a server certificate (mail.test, IP 127.0.0.1) and a client certificate it signed, PEM. */
export interface ClientCertMaterial { readonly caCert: string, readonly serverKey: string, readonly serverCert: string, readonly clientKey: string, readonly clientCert: string }

/** Like {@link createTlsMaterial}, plus a client certificate (clientAuth) from the same CA. */
export function createClientCertMaterial (): ClientCertMaterial | string {
  const dir = mkdtempSync(join(tmpdir(), 'eas-gw-mtls-'))
  const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }) }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  try {
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=eas-gateway admin test CA', '-days', '2',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
    for (const [name, ext] of [['server', 'subjectAltName=DNS:mail.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'], ['client', 'extendedKeyUsage=clientAuth\n']] as const) {
      run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
      writeFileSync(join(dir, `${name}.cnf`), ext)
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.cnf`)
    }
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
    return { caCert: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') }
  } catch (err) {
    return `openssl could not make test certificates (${(err as Error).message.split('\n')[0] ?? ''}); install openssl to run the TLS tests`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
