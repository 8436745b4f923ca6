// nginx in front of Kindred for a platform test, run from the site file that ships (deploy/nginx/kindred.conf)
// with only its ports, certificate paths and upstream addresses swapped: what ships is what is tested. All of
// it lives in one temporary folder (certificate, configuration, pid, logs, temp paths); no system file is
// read or written, and nginx runs as the current user in the foreground, stopped by its pid.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './platform.ts';

export const NGINX = '/usr/sbin/nginx';
export const nginxInstalled = existsSync(NGINX);

const run = promisify(execFile);
const stopWaitMs = 10_000;

export interface Nginx {
  /** https://127.0.0.1:port */
  url: string;
  /** http://127.0.0.1:port (answers with a redirect to HTTPS) */
  plainUrl: string;
  /** PEM of the self-signed certificate nginx presents, for clients to trust. */
  certificate: string;
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

export interface NginxOptions {
  httpsPort: number;
  httpPort: number;
  /** The Kindred instances' ports, in the order the shipped file names 3001, 3002. */
  upstreamPorts: [number, number];
}

/** Swaps each `from` for `to` in the shipped file, and fails if the file no longer says `from`. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) {
    throw new Error(`deploy/nginx/kindred.conf no longer contains "${from}": update tests/support/nginx.ts`);
  }
  return text.split(from).join(to);
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-nginx-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  // One day, for 127.0.0.1 and localhost; an EC key is quick to make.
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);

  let site = await readFile(join(repoRoot, 'deploy/nginx/kindred.conf'), 'utf8');
  site = swap(site, '    listen 80;\n', `    listen 127.0.0.1:${options.httpPort};\n`);
  site = swap(site, '    listen [::]:80;\n', '');
  site = swap(site, '    listen 443 ssl http2;\n', `    listen 127.0.0.1:${options.httpsPort} ssl http2;\n`);
  site = swap(site, '    listen [::]:443 ssl http2;\n', '');
  site = swap(site, '/etc/letsencrypt/live/kindred.example.org/fullchain.pem', cert);
  site = swap(site, '/etc/letsencrypt/live/kindred.example.org/privkey.pem', key);
  site = swap(site, '/var/www/letsencrypt', join(dir, 'acme'));
  site = swap(site, 'server 127.0.0.1:3001 ', `server 127.0.0.1:${options.upstreamPorts[0]} `);
  site = swap(site, 'server 127.0.0.1:3002 ', `server 127.0.0.1:${options.upstreamPorts[1]} `);
  await writeFile(join(dir, 'kindred.conf'), site);

  // What Debian's /etc/nginx/nginx.conf gives a site, with every path in this folder.
  const main = [
    // As root, nginx's workers would otherwise switch to "nobody", who cannot enter this private folder.
    ...(process.getuid?.() === 0 ? [`user ${userInfo().username};`] : []),
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    `  client_body_temp_path ${join(dir, 'client_body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    `  include ${join(dir, 'kindred.conf')};`,
    '}',
    '',
  ].join('\n');
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, main);

  const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
  try {
    await run(NGINX, [...args, '-t', '-q']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx refused the configuration: ${(error as { stderr?: string }).stderr ?? error}`, {
      cause: error,
    });
  }
  const child = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `https://127.0.0.1:${options.httpsPort}`;
  const certificate = await readFile(cert, 'utf8');
  const errorLog = async () => {
    try {
      return await readFile(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await terminate(child, exited);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  await waitForPort(options.httpsPort, child, () => output);
  return { url, plainUrl: `http://127.0.0.1:${options.httpPort}`, certificate, errorLog, stop };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const { connect } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`nginx exited (code ${child.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx did not listen on ${port} within 10 s: ${output()}`);
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM is nginx's fast stop (SIGQUIT would wait for every open WebSocket); SIGKILL only if it hangs.
  child.kill('SIGTERM');
  const done = await Promise.race([
    exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), stopWaitMs)),
  ]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
