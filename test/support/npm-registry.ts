// A real npm registry on 127.0.0.1 for the adoption test: Verdaccio (a devDependency; 6.8.0 is the last to run on
// Node 20, with node-fetch pinned by the overrides in package.json). Storage in a temp dir, no uplinks: nothing leaves
// the machine, and a package it does not hold is a 404, as on npm for a package never published.
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freePort, httpGet, Server } from './rehearsal';

const VERDACCIO = path.join(__dirname, '..', '..', 'node_modules', 'verdaccio', 'bin', 'verdaccio');

export class NpmRegistry {
  /** Starts Verdaccio on a free port, creates a publisher and returns once it answers. */
  static async start(): Promise<NpmRegistry> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-registry-'));
    const port = await freePort();
    fs.writeFileSync(path.join(root, 'config.yaml'), [
      `storage: ${path.join(root, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${path.join(root, 'htpasswd')}`,
      '    max_users: 1',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'));
    const logFile = path.join(root, 'verdaccio.log');
    const fd = fs.openSync(logFile, 'a');
    let server: Server;
    try {
      const child = spawn(process.execPath, [VERDACCIO, '--config', path.join(root, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', fd, fd] });
      child.on('error', (error) => fs.appendFileSync(logFile, `\nspawn failed: ${error.message}\n`));
      server = new Server(`verdaccio:${port}`, child, logFile, port);
    } finally {
      fs.closeSync(fd);
    }
    const url = `http://127.0.0.1:${port}/`;
    try {
      await server.waitUntilReady(async () => (await httpGet(`${url}-/ping`)).status === 200);
      const token = await createUser(url);
      return new NpmRegistry(server, root, url, token);
    } catch (error) {
      await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  private constructor(private readonly server: Server, private readonly root: string, readonly url: string, private readonly token: string) {}

  /**
   * An npm user config that installs from this registry only, and publishes to it as the user created at start: what a
   * team's `.npmrc` says for a private registry.
   */
  writeUserConfig(file: string): void {
    const host = this.url.replace(/^http:/, '');
    fs.writeFileSync(file, `registry=${this.url}\n${host}:_authToken=${this.token}\n`);
  }

  /**
   * Publishes an installed package's directory (its files, as npm extracted them) through the registry's publish API,
   * the PUT of its packument with the tarball attached that `npm publish` sends, without starting npm: for the
   * dependencies a registry without uplinks must hold.
   */
  async mirror(dir: string): Promise<void> {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const tarball = execFileSync('tar', ['-czf', '-', '-C', dir, '--exclude=./node_modules', '--transform=s,^\\.,package,', '.'], { maxBuffer: 1024 * 1024 * 1024 });
    const file = `${manifest.name}-${manifest.version}.tgz`;
    const version = {
      ...manifest,
      _id: `${manifest.name}@${manifest.version}`,
      dist: {
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        tarball: `${this.url}${manifest.name}/-/${file}`,
      },
    };
    const body = JSON.stringify({
      '_id': manifest.name,
      'name': manifest.name,
      'dist-tags': { latest: manifest.version },
      'versions': { [manifest.version]: version },
      '_attachments': { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
    });
    const { status, text } = await request('PUT', `${this.url}${manifest.name.replace('/', '%2f')}`, body, { authorization: `Bearer ${this.token}` });
    if (status !== 201) throw new Error(`publishing ${manifest.name}@${manifest.version} to the registry failed: HTTP ${status} ${text}`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Verdaccio's CouchDB-style sign-up, which `npm adduser` uses: returns the new user's token. */
async function createUser(url: string): Promise<string> {
  const { status, text } = await request('PUT', `${url}-/user/org.couchdb.user:publisher`, JSON.stringify({ name: 'publisher', password: 'local-registry-only' }));
  const token = status === 201 ? (JSON.parse(text) as { token?: string }).token : undefined;
  if (!token) throw new Error(`creating the registry's publisher failed: HTTP ${status} ${text}`);
  return token;
}

/** A request with a JSON body, without keep-alive (pooled sockets would hold Jest open after the suite). */
function request(method: string, url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method, agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
