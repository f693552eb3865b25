/**
 * Test certificates for si-dev, made locally with Debian's openssl at set-up (never committed):
 * a CA, the server certificate (127.0.0.1 / localhost), a terminal client certificate, and a
 * "rogue" CA with its own server and client certificates for the wrong-certificate faults, and a
 * server certificate from the right CA that expired in 2020 (a late renewal, or a terminal whose
 * clock is years off, looks the same to the client).
 * EC P-256 keys: quick to make, and what a modern SI front-end would offer.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DevCertFiles {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCaCert: string;
  rogueServerCert: string;
  rogueServerKey: string;
  rogueClientCert: string;
  rogueClientKey: string;
  expiredServerCert: string;
  expiredServerKey: string;
}

export function devCertFiles(dir: string): DevCertFiles {
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    rogueCaCert: join(dir, 'rogue-ca.crt'),
    rogueServerCert: join(dir, 'rogue-server.crt'),
    rogueServerKey: join(dir, 'rogue-server.key'),
    rogueClientCert: join(dir, 'rogue-client.crt'),
    rogueClientKey: join(dir, 'rogue-client.key'),
    expiredServerCert: join(dir, 'expired-server.crt'),
    expiredServerKey: join(dir, 'expired-server.key'),
  };
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${stderr.split('\n').slice(-2).join(' ')}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(cert: string, key: string, name: string): void {
  openssl(['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '3650', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function makeLeaf(cert: string, key: string, caCert: string, caKey: string, name: string, usage: 'serverAuth' | 'clientAuth'): void {
  const ext = usage === 'serverAuth' ? ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'] : [];
  openssl(['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '825', '-subj', `/CN=${name}`,
    '-CA', caCert, '-CAkey', caKey, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `extendedKeyUsage=${usage}`, ...ext]);
}

/**
 * A server certificate from the CA that was valid only in January 2020. `openssl req` will not
 * back-date, so it goes through `openssl ca` with a throw-away database in a scratch folder.
 */
function makeExpiredLeaf(cert: string, key: string, caCert: string, caKey: string, scratch: string): void {
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const file = (name: string) => resolve(scratch, name);
  writeFileSync(
    file('ca.cnf'),
    `[ca]\ndefault_ca = dev\n[dev]\ndatabase = ${file('index.txt')}\nnew_certs_dir = ${resolve(scratch)}\nserial = ${file('serial')}\n` +
      'default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n',
  );
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '01\n');
  writeFileSync(file('ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\nbasicConstraints = critical, CA:FALSE\n');
  openssl(['req', '-new', ...EC, '-keyout', key, '-out', file('req.csr'), '-subj', '/CN=lifecheck si-dev (expired)']);
  openssl(['ca', '-batch', '-config', file('ca.cnf'), '-in', file('req.csr'), '-out', cert, '-cert', caCert, '-keyfile', caKey,
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext', '-extfile', file('ext')]);
}

/** Makes every file that is missing (all of them on a fresh directory); keys are mode 0600. */
export function ensureDevCerts(dir: string, terminalNumber = '0000'): DevCertFiles {
  const f = devCertFiles(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const all = [f.caCert, f.serverCert, f.serverKey, f.clientCert, f.clientKey, f.rogueCaCert, f.rogueServerCert, f.rogueServerKey, f.rogueClientCert, f.rogueClientKey, f.expiredServerCert, f.expiredServerKey];
  if (all.every((p) => existsSync(p))) return f;
  // The CA keys are needed only while signing: made in the directory, then removed.
  const caKey = join(dir, 'ca.key.tmp');
  const rogueCaKey = join(dir, 'rogue-ca.key.tmp');
  const scratch = join(dir, 'expired.tmp');
  try {
    makeCa(f.caCert, caKey, 'lifecheck si-dev test CA');
    makeLeaf(f.serverCert, f.serverKey, f.caCert, caKey, 'lifecheck si-dev', 'serverAuth');
    makeLeaf(f.clientCert, f.clientKey, f.caCert, caKey, `lifecheck terminal ${terminalNumber}`, 'clientAuth');
    makeExpiredLeaf(f.expiredServerCert, f.expiredServerKey, f.caCert, caKey, scratch);
    makeCa(f.rogueCaCert, rogueCaKey, 'rogue test CA');
    makeLeaf(f.rogueServerCert, f.rogueServerKey, f.rogueCaCert, rogueCaKey, 'rogue si-dev', 'serverAuth');
    makeLeaf(f.rogueClientCert, f.rogueClientKey, f.rogueCaCert, rogueCaKey, 'rogue terminal', 'clientAuth');
  } finally {
    rmSync(caKey, { force: true });
    rmSync(rogueCaKey, { force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const k of [f.serverKey, f.clientKey, f.rogueServerKey, f.rogueClientKey, f.expiredServerKey]) chmodSync(k, 0o600);
  writeFileSync(join(dir, 'README'), 'Test certificates made by `lifecheck si-dev certs`. Not for production; never commit.\n');
  return f;
}

export function readPem(path: string): Buffer {
  return readFileSync(path);
}
