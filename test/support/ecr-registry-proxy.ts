// What makes a Distribution registry answer like ECR for the rehearsal: HTTPS (ECR speaks nothing else), and tag
// immutability. Distribution lets any push move any tag; ECR refuses to move a tag its repository keeps immutable
// ("tag invalid: The image tag '...' already exists in the '...' repository and cannot be overwritten because the
// repository is immutable."), which is exactly what a rebuild of an already built commit runs into. The proxy
// listens on 127.0.0.1 with a certificate of the rehearsal's own CA and forwards everything else unchanged.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { canOverwriteTag } from '../../src/repository/mutability';

const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/?]+)$/;
const ACCEPT_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * A failure the proxy plays instead of forwarding, for requests whose method matches and whose path ends with
 * `pathSuffix`, after letting `skip` of them through: an answer, or a dropped connection.
 */
export interface RegistryFault {
  readonly method: string;
  readonly pathSuffix: string;
  readonly skip?: number;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Drop the connection without an answer. */
  readonly drop?: boolean;
}

export interface EcrRegistryProxyOptions {
  /** Port of the Distribution registry on 127.0.0.1 (plain HTTP). */
  readonly upstreamPort: number;
  /** Port to listen on (HTTPS). */
  readonly port: number;
  readonly key: string;
  readonly cert: string;
  /** Tags every repository lets move (IMMUTABLE_WITH_EXCLUSION); every other tag is immutable. */
  readonly mutableTagPatterns: readonly string[];
  /** Every manifest stored is appended here as a JSON line { repository, reference, digest }, as ECR scans on push. */
  readonly pushLog: string;
}

export class EcrRegistryProxy {
  static async start(options: EcrRegistryProxyOptions): Promise<EcrRegistryProxy> {
    const proxy = new EcrRegistryProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(options.port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** Pushes refused because they would have moved an immutable tag, as `repository:tag`. */
  readonly refused: string[] = [];
  private readonly server: https.Server;
  private faults: Array<RegistryFault & { seen: number }> = [];

  private constructor(private readonly options: EcrRegistryProxyOptions) {
    this.server = https.createServer({ key: options.key, cert: options.cert }, (request, response) => {
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
        response.end(`rehearsal proxy: ${error.message}`);
      });
    });
  }

  /** Plays `fault` from now on (see RegistryFault); clearFaults() ends every fault. */
  addFault(fault: RegistryFault): void {
    this.faults.push({ ...fault, seen: 0 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const fault = this.faults.find((f) => f.method === request.method && (request.url ?? '').endsWith(f.pathSuffix) && f.seen++ >= (f.skip ?? 0));
    if (fault) {
      request.resume();
      if (fault.drop) {
        request.socket.destroy();
        return;
      }
      response.writeHead(fault.status ?? 500, fault.headers ?? {});
      response.end(fault.body ?? '');
      return;
    }
    const manifest = MANIFEST_PATH.exec(request.url ?? '');
    if (request.method !== 'PUT' || !manifest) {
      request.pipe(this.forward(request, response));
      return;
    }
    const [, repository, reference] = manifest;
    const body = await readAll(request);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const isTag = !reference.startsWith('sha256:');
    const current = isTag ? await this.currentDigest(request, repository, reference) : undefined;
    const tag = reference;
    if (current !== undefined && current !== digest && !canOverwriteTag(tag, 'IMMUTABLE_WITH_EXCLUSION', this.options.mutableTagPatterns)) {
      this.refused.push(`${repository}:${tag}`);
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({
        errors: [{
          code: 'TAG_INVALID',
          message: `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
        }],
      }));
      return;
    }
    this.forward(request, response, (status) => {
      if (status >= 200 && status < 300) fs.appendFileSync(this.options.pushLog, `${JSON.stringify({ repository, reference, digest })}\n`);
    }).end(body);
  }

  /** The digest `tag` points at now, asked of the registry with the caller's credentials. */
  private currentDigest(request: http.IncomingMessage, repository: string, tag: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const head = http.request({
        host: '127.0.0.1',
        port: this.options.upstreamPort,
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${tag}`,
        headers: { authorization: request.headers.authorization ?? '', accept: ACCEPT_MANIFESTS },
        agent: false,
      }, (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200 ? String(answer.headers['docker-content-digest']) : undefined);
      });
      head.on('error', reject);
      head.end();
    });
  }

  private forward(request: http.IncomingMessage, response: http.ServerResponse, onStatus?: (status: number) => void): http.ClientRequest {
    const upstream = http.request({
      host: '127.0.0.1',
      port: this.options.upstreamPort,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, 'x-forwarded-proto': 'https' },
      agent: false,
    }, (answer) => {
      onStatus?.(answer.statusCode ?? 502);
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(`rehearsal proxy: ${error.message}`);
    });
    return upstream;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
