// A throw-away self-signed certificate for https://127.0.0.1, made with the openssl CLI in a temp dir.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

export interface SelfSignedCertificate {
  readonly key: string
  readonly cert: string
}

export async function createSelfSignedCertificate (): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dcr-tls-'))
  try {
    const keyFile = path.join(dir, 'key.pem')
    const certFile = path.join(dir, 'cert.pem')
    await promisify(execFile)('/usr/bin/openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'
    ])
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
