// Real servers and a real container toolchain for rehearsing build-and-push.sh without Docker or AWS:
// moto_server stands in for the ECR and SSM APIs, docker-registry (Distribution 2.8) for the ECR registry, and podman
// (through podman-docker's `docker`) for the Docker engine. Everything listens on 127.0.0.1, lives under one temp dir
// and is stopped by PID in stop(). scripts/install-system-deps.sh installs what this needs.
import { ChildProcess, execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { EcrRegistryProxy } from './ecr-registry-proxy';
import { findOnPath, pythonAws, realProgram } from './system-deps';
import { AWS_MODULES, WarmPython } from './warm-python';
import { BUILD_SCRIPT_FILE, SCAN_GATE_FILE } from '../../src/image-build/buildspec';

export { BUILD_SCRIPT_FILE, SCAN_GATE_FILE };
const AWS_STANDIN = path.join(__dirname, 'aws-standin.js');
export const REGION = 'eu-west-1';
/** The local base image for RUN steps: busybox-static, imported by start(). */
export const BUSYBOX_IMAGE = 'localhost/rehearsal-busybox:1';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Commands the rehearsal runs, with the apt package that provides each (scripts/install-system-deps.sh installs them). */
const APT_COMMANDS: Record<string, string> = {
  'docker-registry': 'docker-registry',
  'htpasswd': 'apache2-utils',
  'podman': 'podman',
  'skopeo': 'skopeo',
  'runc': 'runc',
  'dash': 'dash',
  'curl': 'curl',
  'openssl': 'openssl',
  'busybox': 'busybox-static',
};

const onPath = (command: string) => findOnPath(command) !== undefined;

function commandPath(command: string, find: (command: string) => string | undefined = realProgram): string {
  const found = find(command);
  if (!found) throw new Error(`${command} is not on PATH`);
  return found;
}

/** What is missing for the rehearsal: apt packages and Python packages. */
export function missingSystemDeps(): { apt: string[]; python: string[] } {
  const apt = Object.entries(APT_COMMANDS).filter(([command]) => !onPath(command)).map(([, pkg]) => pkg);
  // podman-docker's /usr/bin/docker, not the engine-less Docker CLI in /usr/local/bin.
  if (!fs.existsSync('/usr/bin/docker')) apt.push('podman-docker');
  // The machine image's Python packages: moto's server, and the Python AWS CLI (v1) as aws.
  const python = [...(onPath('moto_server') ? [] : ['moto[server]']), ...(pythonAws() ? [] : ['awscli'])];
  return { apt, python };
}

/** What the rehearsal needs and this machine lacks, said for a test title; undefined when it has everything. */
export function missingRehearsalDeps(): string | undefined {
  const { apt, python } = missingSystemDeps();
  const parts = [
    ...(apt.length > 0 ? [`the apt packages ${apt.join(', ')} (bash scripts/install-system-deps.sh)`] : []),
    ...(python.length > 0 ? [`the Python packages ${python.join(', ')} (moto_server and aws on PATH)`] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a CodeBuild log shows them. */
  readonly output: string;
}

/** Runs a command to completion with stdout and stderr going to one file (no pipes to fill up). */
export async function run(command: string, args: string[], options: {
  env: NodeJS.ProcessEnv; cwd?: string; logFile: string; input?: string; timeoutMs?: number;
}): Promise<RunResult> {
  const fd = fs.openSync(options.logFile, 'w');
  try {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', fd, fd],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 5 * 60_000);
    const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, sig) => resolve([code, sig]));
    });
    clearTimeout(timer);
    return { status, signal, output: fs.readFileSync(options.logFile, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/** execFile as a promise; the error names the command and carries its stderr. */
export function exec(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A GET without keep-alive (fetch's pooled sockets would hold Jest open after the suite). */
export function httpGet(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? (u: string, o: https.RequestOptions, cb: (r: http.IncomingMessage) => void) => https.get(u, { ...o, ca }, cb) : http.get;
    const request = get(url, { agent: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A long-running process with its log file. */
export class Server {
  private exited = false;

  constructor(readonly name: string, readonly child: ChildProcess, readonly logFile: string, readonly port: number) {
    child.on('exit', () => { this.exited = true; });
  }

  get log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** Polls `ready` until it returns true; fails with the server's log when it dies or the time runs out. */
  async waitUntilReady(ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited during start-up; its log:\n${this.log}`);
      if (await ready().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready${this.port ? ` on port ${this.port}` : ''} after ${READY_TIMEOUT_MS / 1000}s; its log:\n${this.log}`);
  }

  /** SIGTERM by PID, then SIGKILL if it has not exited in time. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      exit.then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (!stopped && !this.exited) {
      this.child.kill('SIGKILL');
      await exit;
    }
  }
}

/** The mutable tags of the rehearsal's repositories, as ImageRepository renders them for a build with these tags. */
export const MUTABLE_TAG_PATTERNS = ['dev', 'staging', 'prod', 'buildcache*'];

/** A registry as the script sees it: ECR-like (HTTPS, immutable tags) in front of a Distribution registry. */
export interface RehearsalRegistry {
  /** host:port, as ECR_REGISTRY. */
  readonly host: string;
  readonly proxy: EcrRegistryProxy;
  /** The Distribution registry's log. */
  readonly log: string;
}

/** One scripted answer of `aws ecr describe-image-scan-findings` or `aws inspector2 list-coverage` (see aws-standin.js). */
export type ScanResponse = { readonly result: unknown } | { readonly error: { readonly code: string; readonly message: string } };

/** Everything one rehearsal starts; start() and stop() bracket a test suite. */
export class Rehearsal {
  /** Starts moto, then a registry that accepts moto's login token, then prepares podman and the base image. */
  static async start(): Promise<Rehearsal> {
    const rehearsal = new Rehearsal(fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-rehearsal-')));
    try {
      await rehearsal.startMoto();
      await rehearsal.writeAwsStandIn();
      // Registry 2.8 reads htpasswd only at start: the password must be known first.
      rehearsal.loginToken = (await rehearsal.exec('aws', ['ecr', 'get-login-password', '--region', REGION])).trim();
      await rehearsal.createCertificate();
      rehearsal.registry = await rehearsal.startRegistry(rehearsal.loginToken);
      await rehearsal.importBusybox();
      return rehearsal;
    } catch (error) {
      await rehearsal.stop();
      throw error;
    }
  }

  /** The token `aws ecr get-login-password` returns from moto, which the registry accepts as AWS's password. */
  loginToken = '';
  private moto?: Server;
  private registry?: RehearsalRegistry;
  private readonly servers: Array<{ stop(): Promise<void> }> = [];
  private readonly insecureHosts: string[] = [];
  private logCounter = 0;
  /** The command that runs the real AWS CLI (in a warm Python). */
  private realAws: string[] = [];

  private constructor(readonly root: string) {
    for (const dir of ['home', 'bin', 'logs', 'xdg/containers', 'storage', 'runroot', 'tmp', 'tls', 'aws']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    // podman-docker's `docker` must win over the engine-less Docker CLI in /usr/local/bin.
    const shim = path.join(root, 'bin', 'docker');
    fs.writeFileSync(shim, '#!/bin/sh\nexec /usr/bin/docker "$@"\n', { mode: 0o755 });
    this.writeContainersConfig();
  }

  get motoEndpoint(): string {
    return `http://127.0.0.1:${this.moto!.port}`;
  }

  /** host:port of the registry that accepts moto's token, used as ECR_REGISTRY. */
  get registryHost(): string {
    return this.registry!.host;
  }

  /** The proxy in front of the main registry (its refused pushes). */
  get registryProxy(): EcrRegistryProxy {
    return this.registry!.proxy;
  }

  /** The rehearsal CA's certificate: curl (CURL_CA_BUNDLE) and the tests trust it. */
  get caFile(): string {
    return path.join(this.root, 'tls', 'ca.pem');
  }

  /** A fresh log file path under the rehearsal's log dir. */
  logFile(name: string): string {
    this.logCounter += 1;
    return path.join(this.root, 'logs', `${String(this.logCounter).padStart(2, '0')}-${name}.log`);
  }

  /**
   * The environment for the script, podman, skopeo and the AWS CLI: dummy AWS credentials, the aws stand-in and
   * podman's configuration and storage under the temp dir, and nothing else from the calling environment but PATH.
   */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const xdg = path.join(this.root, 'xdg');
    return {
      PATH: `${path.join(this.root, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: path.join(this.root, 'home'),
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      STANDIN_REAL_AWS: JSON.stringify(this.realAws),
      STANDIN_MOTO_ENDPOINT: this.moto ? this.motoEndpoint : '',
      STANDIN_DIR: path.join(this.root, 'aws'),
      CURL_CA_BUNDLE: this.caFile,
      CONTAINERS_CONF: path.join(this.root, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: path.join(this.root, 'storage.conf'),
      CONTAINERS_REGISTRIES_CONF: path.join(this.root, 'registries.conf'),
      // podman 4.3's `manifest create` ignores REGISTRY_AUTH_FILE and reads $XDG_RUNTIME_DIR/containers/auth.json:
      // point both at one file.
      XDG_RUNTIME_DIR: xdg,
      REGISTRY_AUTH_FILE: path.join(xdg, 'containers', 'auth.json'),
      BUILDAH_ISOLATION: 'chroot',
      // podman 4.3 reuses a cached layer built for another --platform (FROM scratch): no layer cache.
      BUILDAH_LAYERS: 'false',
      ...extra,
    };
  }

  /** Runs a command in the rehearsal's environment and returns its stdout. */
  exec(command: string, args: string[]): Promise<string> {
    return exec(command, args, this.env());
  }

  private async startMoto(): Promise<void> {
    const port = await freePort();
    this.moto = this.spawnServer('moto_server', commandPath('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], port);
    await this.moto.waitUntilReady(async () => (await httpGet(`http://127.0.0.1:${port}/moto-api/`)).status === 200);
  }

  /** `aws` on the rehearsal's PATH is the stand-in (aws-standin.js); it calls the real CLI found here, in a warm Python. */
  private async writeAwsStandIn(): Promise<void> {
    const python = await WarmPython.start(this.root, AWS_MODULES, this.env());
    this.servers.push(python);
    this.realAws = [...python.command, commandPath('aws', pythonAws)];
    fs.writeFileSync(path.join(this.root, 'bin', 'aws'), `#!/bin/sh\nexec node ${AWS_STANDIN} "$@"\n`, { mode: 0o755 });
  }

  /**
   * Scripts the answers of `aws ecr describe-image-scan-findings` for an image, in order (the last repeats): `image`
   * is a digest, or `repository:tag` for the image last pushed under that tag, whose digest a test cannot know ahead.
   */
  scriptScan(image: string, responses: ScanResponse[]): void {
    const file = path.join(this.root, 'aws', 'scans.json');
    const scans = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    scans[image] = responses;
    fs.writeFileSync(file, JSON.stringify(scans));
  }

  /** Scripts the answers of `aws inspector2 list-coverage`, in order (the last repeats): ListCoverage results or errors. */
  scriptCoverage(responses: ScanResponse[]): void {
    fs.writeFileSync(path.join(this.root, 'aws', 'coverage.json'), JSON.stringify(responses));
  }

  /** Every `aws` call made through the stand-in so far, as argument lists. */
  awsCalls(): string[][] {
    const file = path.join(this.root, 'aws', 'calls.jsonl');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [];
  }

  /** A CA and a certificate for 127.0.0.1 signed by it, as ECR serves only HTTPS. */
  private async createCertificate(): Promise<void> {
    const tls = path.join(this.root, 'tls');
    const openssl = (args: string[]) => exec('openssl', args, this.env());
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=rehearsal CA',
      '-keyout', path.join(tls, 'ca.key'), '-out', this.caFile]);
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
      '-keyout', path.join(tls, 'registry.key'), '-out', path.join(tls, 'registry.csr')]);
    fs.writeFileSync(path.join(tls, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    await openssl(['x509', '-req', '-in', path.join(tls, 'registry.csr'), '-CA', this.caFile, '-CAkey', path.join(tls, 'ca.key'),
      '-CAcreateserial', '-days', '2', '-extfile', path.join(tls, 'san.ext'), '-out', path.join(tls, 'registry.pem')]);
  }

  /**
   * Starts a docker-registry whose only user is AWS with `password`, behind an ECR-like proxy (HTTPS, immutable
   * tags but `mutableTagPatterns`); the rehearsal stops both in stop().
   */
  async startRegistry(password: string, mutableTagPatterns: readonly string[] = MUTABLE_TAG_PATTERNS): Promise<RehearsalRegistry> {
    const upstreamPort = await freePort();
    const dir = fs.mkdtempSync(path.join(this.root, `registry-${upstreamPort}-`));
    const htpasswd = await run('htpasswd', ['-B', '-i', '-n', 'AWS'], {
      env: this.env(), input: password, logFile: path.join(dir, 'htpasswd.log'),
    });
    if (htpasswd.status !== 0) throw new Error(`htpasswd failed: ${htpasswd.output}`);
    fs.writeFileSync(path.join(dir, 'htpasswd'), htpasswd.output.trim() + '\n');
    fs.writeFileSync(path.join(dir, 'config.yml'), [
      'version: 0.1',
      'log:',
      '  level: info',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${upstreamPort}`,
      // Behind the HTTPS proxy: upload locations relative, so clients stay on the proxy.
      '  relativeurls: true',
      'auth:',
      '  htpasswd:',
      '    realm: rehearsal',
      `    path: ${path.join(dir, 'htpasswd')}`,
      '',
    ].join('\n'));
    const upstream = this.spawnServer(`docker-registry:${upstreamPort}`, 'docker-registry', ['serve', path.join(dir, 'config.yml')], upstreamPort);
    // Unauthenticated /v2/ answers 401 once the registry listens.
    await upstream.waitUntilReady(async () => (await httpGet(`http://127.0.0.1:${upstreamPort}/v2/`)).status === 401);
    const port = await freePort();
    const tls = path.join(this.root, 'tls');
    const proxy = await EcrRegistryProxy.start({
      upstreamPort,
      port,
      key: fs.readFileSync(path.join(tls, 'registry.key'), 'utf8'),
      cert: fs.readFileSync(path.join(tls, 'registry.pem'), 'utf8'),
      mutableTagPatterns,
      pushLog: path.join(this.root, 'aws', 'pushes.jsonl'),
    });
    this.servers.push(proxy);
    const host = `127.0.0.1:${port}`;
    // podman takes the registry's certificate without checking it (its CA lives in a system directory); curl checks it.
    this.insecureHosts.push(host);
    this.writeContainersConfig();
    return { host, proxy, get log() { return upstream.log; } };
  }

  private spawnServer(name: string, command: string, args: string[], port: number): Server {
    const logFile = this.logFile(name.replace(/[^a-z0-9-]/gi, '-'));
    const fd = fs.openSync(logFile, 'w');
    try {
      // Not this.env(): docker-registry reads every REGISTRY_* variable as configuration, and REGISTRY_AUTH_FILE
      // (podman's auth file) would become an invalid `auth.file` section.
      const env = {
        PATH: process.env.PATH,
        HOME: path.join(this.root, 'home'),
        LANG: 'C.UTF-8',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: REGION,
      };
      const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
      const server = new Server(name, child, logFile, port);
      child.on('error', (error) => fs.appendFileSync(logFile, `\nspawn failed: ${error.message}\n`));
      this.servers.push(server);
      return server;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** podman as root: vfs storage and chroot isolation (no overlay, no cgroup setup), runc, the rehearsal's registries. */
  private writeContainersConfig(): void {
    fs.writeFileSync(path.join(this.root, 'containers.conf'), [
      '[containers]',
      // Hard rlimits cannot be raised on this host; podman's defaults ask for more.
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      '[engine]',
      // crun refuses the host's hybrid cgroups.
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "none"',
      `tmp_dir = "${path.join(this.root, 'tmp')}"`,
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(this.root, 'storage.conf'), [
      '[storage]',
      'driver = "vfs"',
      `runroot = "${path.join(this.root, 'runroot')}"`,
      `graphroot = "${path.join(this.root, 'storage')}"`,
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(this.root, 'registries.conf'), [
      'unqualified-search-registries = []',
      ...this.insecureHosts.flatMap((host) => ['[[registry]]', `location = "${host}"`, 'insecure = true']),
      '',
    ].join('\n'));
  }

  /** A busybox-static root filesystem imported as a local image, so Dockerfiles can RUN without pulling anything. */
  private async importBusybox(): Promise<void> {
    const rootfs = path.join(this.root, 'busybox-rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'cat', 'echo', 'sha256sum', 'test', 'ls']) {
      fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    }
    const tarball = path.join(this.root, 'busybox-rootfs.tar');
    await exec('tar', ['-C', rootfs, '-cf', tarball, '.'], this.env());
    await exec('podman', ['import', tarball, BUSYBOX_IMAGE], this.env());
  }

  /** Runs build-and-push.sh under dash, as CodeBuild would run it, with the rehearsal's environment plus `vars`. */
  async buildAndPush(command: string, vars: Record<string, string>, cwd?: string): Promise<RunResult> {
    return run('dash', [BUILD_SCRIPT_FILE, command], {
      env: this.env({ AWS_REGION: REGION, ECR_REGISTRY: this.registryHost, SCAN_GATE_JS: SCAN_GATE_FILE, ...vars }),
      cwd: cwd ?? this.root,
      logFile: this.logFile(`build-and-push-${command}`),
    });
  }

  /** The manifest a reference (repo:tag or repo@digest) resolves to, byte-exact, read with skopeo. */
  async rawManifest(reference: string): Promise<string> {
    return exec('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `AWS:${this.loginToken}`,
      `docker://${this.registryHost}/${reference}`], this.env());
  }

  /** The digest a reference resolves to: the sha256 of its manifest bytes, computed here, not taken from a header. */
  async digestOf(reference: string): Promise<string> {
    return `sha256:${createHash('sha256').update(await this.rawManifest(reference)).digest('hex')}`;
  }

  /** The image configuration (architecture, labels) of a single-platform reference. */
  async imageConfig(reference: string): Promise<{ architecture: string; os: string; config?: { Labels?: Record<string, string> } }> {
    return JSON.parse(await exec('skopeo', ['inspect', '--config', '--tls-verify=false', '--creds', `AWS:${this.loginToken}`,
      `docker://${this.registryHost}/${reference}`], this.env()));
  }

  /** Tags of a repository, sorted; [] when the repository does not exist. */
  async listTags(repository: string, host = this.registryHost): Promise<string[]> {
    const response = await httpGet(`https://${host}/v2/${repository}/tags/list`, {
      Authorization: `Basic ${Buffer.from(`AWS:${this.loginToken}`).toString('base64')}`,
    }, fs.readFileSync(this.caFile));
    if (response.status === 404) return [];
    if (response.status !== 200) throw new Error(`tags/list ${repository}: HTTP ${response.status}: ${response.body}`);
    const body = JSON.parse(response.body) as { tags: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  /** Stores `body` as the manifest `reference` of `repository`, as a client's PUT would; returns its digest. */
  async putManifest(repository: string, reference: string, body: string, mediaType: string): Promise<string> {
    const response = await new Promise<{ status: number; text: string; digest: string }>((resolve, reject) => {
      const request = https.request(`https://${this.registryHost}/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        agent: false,
        ca: fs.readFileSync(this.caFile),
        headers: { 'Content-Type': mediaType, 'Authorization': `Basic ${Buffer.from(`AWS:${this.loginToken}`).toString('base64')}` },
      }, (answer) => {
        let text = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => { text += chunk; });
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text, digest: String(answer.headers['docker-content-digest']) }));
      });
      request.on('error', reject);
      request.end(body);
    });
    if (response.status !== 201) throw new Error(`PUT ${repository}:${reference}: HTTP ${response.status}: ${response.text}`);
    return response.digest;
  }

  /** The real AWS CLI against moto, output as JSON (not through the stand-in, so nothing is scripted or logged). */
  async aws(args: string[]): Promise<any> {
    const [program, ...prefix] = this.realAws;
    const out = await exec(program, [...prefix, ...args, '--endpoint-url', this.motoEndpoint, '--region', REGION, '--output', 'json'], this.env());
    return out.trim() === '' ? undefined : JSON.parse(out);
  }

  /** IDs of every image in podman's local storage, intermediate ones included. */
  async localImages(): Promise<string[]> {
    return (await exec('podman', ['images', '--all', '--no-trunc', '--format', '{{.ID}}'], this.env()))
      .split('\n').filter((line) => line.trim() !== '').sort();
  }

  /** Stops every server by PID (newest first) and removes the temp dir; safe to call after a failed start. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const server of [...this.servers].reverse()) {
      await server.stop().catch((error) => errors.push(error));
    }
    fs.rmSync(this.root, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`stopping the rehearsal servers failed: ${errors.join('; ')}`);
  }
}
