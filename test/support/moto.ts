// moto_server as a stand-in for CloudFormation and the APIs a deploy rehearsal reads back (ECR, SSM, SNS, ECS, ...).
// One server per suite on a free 127.0.0.1 port, its log in a temp dir, stopped by PID in stop(). AWS calls go
// through boto3 (the machine image's Python) with the server as endpoint_url and dummy credentials.
// What moto models and what it does not is written down in docs/deploy-rehearsal.md.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssetManifestArtifact, CloudAssembly } from 'aws-cdk-lib/cx-api';
import { freePort, httpGet, Server } from './rehearsal';
import { pythonAws, realProgram } from './system-deps';
import { AWS_MODULES, pythonExecutable, WarmPython } from './warm-python';

/** The account moto answers as. */
export const MOTO_ACCOUNT = '123456789012';
/** The qualifier of the default CDK bootstrap (bucket `cdk-<qualifier>-assets-...`, SSM `/cdk-bootstrap/<qualifier>/version`). */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';

const DEFAULT_STACK_TIMEOUT_MS = 120_000;
const PYTHON_TIMEOUT_MS = 60_000;
const POLL_MS = 500;
const LOG_TAIL_LINES = 80;

/**
 * Runs a batch of boto3 calls against one endpoint and prints their results as JSON, one per call, in order:
 * `{"result": response}` or `{"error": {"code", "message"}}`. A `BodyFromPath` parameter is read from that file, or
 * zipped from that directory (entries sorted), which is how the CDK CLI publishes `zip` file assets.
 */
const BOTO3_BATCH = `
import io, json, os, sys, zipfile
import boto3
from botocore.config import Config

request = json.load(sys.stdin)
session = boto3.session.Session(aws_access_key_id='testing', aws_secret_access_key='testing', region_name=request['region'])
config = Config(retries={'max_attempts': 1}, read_timeout=60)
clients = {}

def client(service):
    if service not in clients:
        clients[service] = session.client(service, endpoint_url=request['endpoint'], config=config)
    return clients[service]

def body(path):
    if not os.path.isdir(path):
        with open(path, 'rb') as f:
            return f.read()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                archive.write(full, os.path.relpath(full, path))
    return buffer.getvalue()

results = []
for call in request['calls']:
    try:
        params = dict(call.get('params', {}))
        if 'BodyFromPath' in params:
            params['Body'] = body(params.pop('BodyFromPath'))
        response = getattr(client(call['service']), call['operation'])(**params)
        response.pop('ResponseMetadata', None)
        results.append({'result': response})
    except Exception as e:
        error = (getattr(e, 'response', None) or {}).get('Error', {})
        results.append({'error': {'code': error.get('Code') or type(e).__name__, 'message': error.get('Message') or str(e)}})
json.dump(results, sys.stdout, default=str)
`;

/** The CloudFormation resource types moto's CloudFormation implementation can create (its own registry). */
const MOTO_CFN_TYPES = `
import json, warnings
warnings.simplefilter('ignore')
from moto.cloudformation.parsing import get_model_map
print(json.dumps(sorted(get_model_map())))
`;

export interface ApiError {
  readonly code: string;
  readonly message: string;
}

/** One call's outcome: the response without ResponseMetadata, or the error. */
export type ApiResult<T = any> = { readonly result: T; readonly error?: undefined } | { readonly result?: undefined; readonly error: ApiError };

export interface ApiCall {
  /** boto3 client name, for example `cloudformation`. */
  readonly service: string;
  /** boto3 method name, for example `create_stack`. */
  readonly operation: string;
  readonly params?: Record<string, unknown>;
}

/** A resource the rehearsal left out of a template before handing it to moto, and why. */
export interface RemovedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: 'custom resource' | 'not modelled by moto';
}

export interface DeployOptions {
  /**
   * Leave out the resources moto cannot create (see adaptTemplateForMoto) instead of deploying the template as synthesized.
   * @default false
   */
  readonly adaptForMoto?: boolean;
  /** @default 120 s */
  readonly timeoutMs?: number;
  /**
   * The stack name in moto.
   * @default - the stack's name in the assembly
   */
  readonly stackName?: string;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  /** Resources moto reports, by logical id: type and physical id. */
  readonly resources: Record<string, { readonly type: string; readonly physicalId: string }>;
  /** What the rehearsal left out (empty unless adaptForMoto). */
  readonly removed: RemovedResource[];
  /**
   * Outputs left out of a template deployed as synthesized: moto skips a resource type it does not model, and then
   * fails the whole stack on an output that reads the skipped resource (`'NoneType' object has no attribute
   * 'has_cfn_attr'`). CloudFormation creates the resource and its output.
   */
  readonly droppedOutputs: string[];
}

interface StackEvent {
  LogicalResourceId?: string;
  ResourceType?: string;
  ResourceStatus?: string;
  ResourceStatusReason?: string;
}

/** A CDK asset manifest (`<stack>.assets.json`), as far as the rehearsal reads it. */
interface AssetManifest {
  files?: Record<string, {
    source: { path?: string; packaging?: string };
    destinations: Record<string, { bucketName: string; objectKey: string }>;
  }>;
  dockerImages?: Record<string, unknown>;
}

/** A JSON CloudFormation template, as far as the rehearsal reads it. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; [key: string]: unknown }>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Environment for moto and Python: dummy credentials, and none of the caller's AWS settings. */
function awsFreeEnv(region: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs `python3 -c program` (or the same in `command`, a warm Python) with `input` on stdin, killed after the timeout. */
function python(program: string, input: string, env: NodeJS.ProcessEnv, command = [pythonExecutable()]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), '-c', program], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), PYTHON_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`python3 exited ${code ?? signal}${signal === 'SIGKILL' ? ` (killed after ${PYTHON_TIMEOUT_MS / 1000}s)` : ''}:\n${stderr}`));
    });
    child.stdin.end(input);
  });
}

/**
 * What the deploy rehearsal needs and this machine lacks, said for a test title; undefined when it has everything.
 * Every Moto runs its `aws` calls in a Python that has imported the AWS CLI (WarmPython), so it needs the Python CLI.
 */
export function missingMoto(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;
  const imports = spawnSync(pythonExecutable(), ['-c', `import boto3, moto.server, ${AWS_MODULES.filter((m) => m.startsWith('awscli')).join(', ')}`], { encoding: 'utf8' });
  if (onPath && imports.status === 0 && pythonAws() !== undefined) return undefined;
  return 'moto_server on PATH, boto3 in python3 and the Python AWS CLI (v1) as aws (pip install "moto[server]" boto3 awscli)';
}

/** The resource types moto 5's CloudFormation creates; anything else it skips with a warning, or fails on when referenced. */
export function motoCloudFormationTypes(): Promise<Set<string>> {
  // Importing every moto backend takes seconds: once per test file.
  modelledTypes ??= python(MOTO_CFN_TYPES, '', awsFreeEnv('us-east-1')).then((out) => new Set(JSON.parse(out) as string[]));
  return modelledTypes;
}
let modelledTypes: Promise<Set<string>> | undefined;

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/**
 * The template without the resources moto cannot create, so that the rest of it can be rehearsed:
 * - custom resources: moto runs their Lambda handler in Docker, which this machine does not have, so the stack would
 *   stay CREATE_IN_PROGRESS forever;
 * - resource types moto's CloudFormation does not model: moto skips them, and a `Ref`/`Fn::GetAtt` to one resolves to
 *   null, which fails the stack (for example an IAM policy whose Resource is a skipped secret).
 * References to a removed resource become a placeholder ARN naming it (`arn:aws:<service>:<region>:<account>:moto-unmodelled/<id>`)
 * and `DependsOn` on it is dropped. Pure: the input is not changed.
 */
export function adaptTemplateForMoto(template: CfnTemplate, modelled: Set<string>, env: { account: string; region: string }): {
  template: CfnTemplate; removed: RemovedResource[];
} {
  const removed: RemovedResource[] = Object.entries(template.Resources)
    .filter(([, r]) => isCustomResource(r.Type) || !modelled.has(r.Type))
    .map(([logicalId, r]) => ({ logicalId, type: r.Type, reason: isCustomResource(r.Type) ? 'custom resource' as const : 'not modelled by moto' as const }))
    .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
  const gone = new Map(removed.map((r) => [r.logicalId, r]));
  const placeholder = (id: string) => {
    const service = gone.get(id)!.type.split('::')[1]?.toLowerCase() ?? 'cloudformation';
    return `arn:aws:${service}:${env.region}:${env.account}:moto-unmodelled/${id}`;
  };
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[key, arg]] = entries;
      if (key === 'Ref' && typeof arg === 'string' && gone.has(arg)) return placeholder(arg);
      if (key === 'Fn::GetAtt') {
        const id = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof id === 'string' && gone.has(id)) return placeholder(id);
      }
      if (key === 'Fn::Sub') {
        const replace = (s: string) => s.replace(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g, (whole, id: string) => (gone.has(id) ? placeholder(id) : whole));
        return { 'Fn::Sub': typeof arg === 'string' ? replace(arg) : Array.isArray(arg) ? [replace(arg[0]), rewrite(arg[1])] : arg };
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, rewrite(v)]));
  };
  const resources: CfnTemplate['Resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (gone.has(id)) continue;
    const copy = rewrite(resource) as CfnTemplate['Resources'][string];
    if (copy.DependsOn !== undefined) {
      const dependsOn = ([] as string[]).concat(copy.DependsOn).filter((d) => !gone.has(d));
      if (dependsOn.length > 0) copy.DependsOn = dependsOn;
      else delete copy.DependsOn;
    }
    resources[id] = copy;
  }
  const adapted: CfnTemplate = { ...template, Resources: resources };
  if (template.Outputs) adapted.Outputs = rewrite(template.Outputs) as CfnTemplate['Outputs'];
  return { template: adapted, removed };
}

/** The template without the outputs that read a resource of a type moto does not model (see `DeployedStack.droppedOutputs`). */
function withoutOutputsOfUnmodelled(template: CfnTemplate, modelled: Set<string>): { template: CfnTemplate; droppedOutputs: string[] } {
  const unmodelled = new Set(Object.entries(template.Resources).filter(([, r]) => !modelled.has(r.Type)).map(([id]) => id));
  const reads = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(reads);
    if (value === null || typeof value !== 'object') return false;
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string' && unmodelled.has(node.Ref)) return true;
    if (Array.isArray(node['Fn::GetAtt']) && unmodelled.has((node['Fn::GetAtt'] as string[])[0])) return true;
    return Object.values(node).some(reads);
  };
  const outputs = Object.entries(template.Outputs ?? {});
  const droppedOutputs = outputs.filter(([, o]) => reads(o)).map(([name]) => name).sort();
  if (droppedOutputs.length === 0) return { template, droppedOutputs };
  return { template: { ...template, Outputs: Object.fromEntries(outputs.filter(([name]) => !droppedOutputs.includes(name))) }, droppedOutputs };
}

/** Substitutes the CDK asset placeholders of a concrete environment. */
function substitute(value: string, account: string, region: string): string {
  return value.replace(/\$\{AWS::AccountId\}/g, account).replace(/\$\{AWS::Region\}/g, region).replace(/\$\{AWS::Partition\}/g, 'aws');
}

/** A running moto_server. */
export class Moto {
  /** Starts moto_server on a free port and waits until it answers. */
  static async start(region: string): Promise<Moto> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-rehearsal-'));
    const port = await freePort();
    const logFile = path.join(root, 'moto_server.log');
    const fd = fs.openSync(logFile, 'a');
    let server: Server;
    try {
      const child = spawn(realProgram('moto_server') ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env: awsFreeEnv(region), stdio: ['ignore', fd, fd] });
      child.on('error', (error) => fs.appendFileSync(logFile, `\nspawn failed: ${error.message}\n`));
      server = new Server(`moto_server:${port}`, child, logFile, port);
    } finally {
      fs.closeSync(fd);
    }
    const moto = new Moto(root, server, region);
    try {
      moto.warm = await WarmPython.start(root, AWS_MODULES, awsFreeEnv(region));
      await server.waitUntilReady(async () => (await httpGet(`${moto.endpoint}/moto-api/`)).status === 200);
    } catch (error) {
      await moto.stop();
      throw error;
    }
    return moto;
  }

  /** The AWS CLI and boto3, imported once: every call below runs in a fork of it. */
  private warm?: WarmPython;

  private constructor(readonly root: string, private readonly server: Server, readonly region: string) {}

  /**
   * Writes `dir/aws`: the real AWS CLI (in the warm Python) pointed at this server, for scripts that call `aws` from
   * PATH. The CLI reads no endpoint from the environment.
   */
  writeAwsCommand(dir: string): void {
    const aws = pythonAws();
    if (!aws) throw new Error('the Python AWS CLI (v1) is not on PATH as aws');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'aws'), `#!/bin/sh\nexec ${this.warm!.shellCommand} '${aws}' --endpoint-url '${this.endpoint}' "$@"\n`, { mode: 0o755 });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** moto's whole log so far. */
  get log(): string {
    return this.server.log;
  }

  /** The last lines of moto's log after `offset` (a previous log length), for error messages. */
  logTail(offset = 0): string {
    // Successful requests (the status polls among them) say nothing: keep errors, warnings and tracebacks.
    const lines = this.log.slice(offset).split('\n').filter((line) => !/^127\.0\.0\.1 - - \[[^\]]*\] "[^"]*" 2\d\d -$/.test(line));
    return lines.slice(-LOG_TAIL_LINES).join('\n');
  }

  /** Several boto3 calls in one Python process (each call's error is returned, not thrown). */
  async calls(calls: ApiCall[]): Promise<ApiResult[]> {
    const request = JSON.stringify({ endpoint: this.endpoint, region: this.region, calls });
    const out = await python(BOTO3_BATCH, request, awsFreeEnv(this.region), this.warm!.command);
    return JSON.parse(out) as ApiResult[];
  }

  /** One boto3 call; the outcome, error included. */
  async tryCall<T = any>(service: string, operation: string, params: Record<string, unknown> = {}): Promise<ApiResult<T>> {
    return (await this.calls([{ service, operation, params }]))[0] as ApiResult<T>;
  }

  /** One boto3 call; throws with the error and moto's log tail when it fails. */
  async call<T = any>(service: string, operation: string, params: Record<string, unknown> = {}): Promise<T> {
    const outcome = await this.tryCall<T>(service, operation, params);
    if (outcome.error) {
      throw new Error(`${service}.${operation} failed: ${outcome.error.code}: ${outcome.error.message}\nmoto's log (tail):\n${this.logTail()}`);
    }
    return outcome.result;
  }

  /**
   * moto's internal state of one service (`/moto-api/data.json`): what its models stored, including properties its
   * API does not return. Keyed by model name, for example `state('ecr').Repository`.
   */
  async state(service: string): Promise<Record<string, any[]>> {
    const response = await httpGet(`${this.endpoint}/moto-api/data.json`);
    if (response.status !== 200) throw new Error(`moto-api/data.json: HTTP ${response.status}`);
    return (JSON.parse(response.body) as Record<string, Record<string, any[]>>)[service] ?? {};
  }

  /** What `cdk bootstrap` would have made that CDK templates and assets need: the version parameter and the assets bucket. */
  async bootstrap(account: string, bootstrapVersion = '30'): Promise<string> {
    const bucket = `cdk-${BOOTSTRAP_QUALIFIER}-assets-${account}-${this.region}`;
    const results = await this.calls([
      { service: 'ssm', operation: 'put_parameter', params: { Name: `/cdk-bootstrap/${BOOTSTRAP_QUALIFIER}/version`, Value: bootstrapVersion, Type: 'String', Overwrite: true } },
      { service: 's3', operation: 'create_bucket', params: { Bucket: bucket } },
    ]);
    const failed = results.filter((r) => r.error);
    if (failed.length > 0) throw new Error(`bootstrapping moto failed: ${JSON.stringify(failed)}`);
    return bucket;
  }

  /**
   * Publishes a stack's file assets to the bootstrap bucket (directories zipped, as the CDK CLI does), uploads its
   * template there and creates the stack from that URL (templates over 51,200 bytes must come from S3), then waits
   * for CREATE_COMPLETE. Fails with the stack's status, its events and moto's log when the stack fails or is still in
   * progress at the deadline (a resource moto cannot create leaves it CREATE_IN_PROGRESS, with the error only in moto's log).
   */
  async deployStack(assembly: CloudAssembly, artifactName: string, options: DeployOptions = {}): Promise<DeployedStack> {
    const artifact = assembly.getStackByName(artifactName);
    const account = artifact.environment.account;
    const region = artifact.environment.region;
    if (region !== this.region) throw new Error(`stack ${artifactName} is in ${region}, moto was started for ${this.region}`);
    const stackName = options.stackName ?? artifact.stackName;
    const logOffset = this.log.length;

    const uploads: ApiCall[] = [];
    let bucket: string | undefined;
    for (const manifestArtifact of artifact.dependencies.filter((d): d is AssetManifestArtifact => d instanceof AssetManifestArtifact)) {
      const manifest = JSON.parse(fs.readFileSync(manifestArtifact.file, 'utf8')) as AssetManifest;
      if (Object.keys(manifest.dockerImages ?? {}).length > 0) throw new Error(`stack ${artifactName} has Docker image assets; the rehearsal cannot build them`);
      for (const file of Object.values(manifest.files ?? {})) {
        if (!file.source.path) throw new Error(`stack ${artifactName} has a file asset built by a command; the rehearsal publishes only files and directories`);
        for (const destination of Object.values(file.destinations)) {
          bucket = substitute(destination.bucketName, account, region);
          uploads.push({
            service: 's3',
            operation: 'put_object',
            params: {
              Bucket: bucket,
              Key: substitute(destination.objectKey, account, region),
              BodyFromPath: path.join(assembly.directory, file.source.path),
            },
          });
        }
      }
    }
    bucket ??= `cdk-${BOOTSTRAP_QUALIFIER}-assets-${account}-${region}`;

    let template = artifact.template as CfnTemplate;
    let removed: RemovedResource[] = [];
    let droppedOutputs: string[] = [];
    if (options.adaptForMoto) {
      ({ template, removed } = adaptTemplateForMoto(template, await motoCloudFormationTypes(), { account, region }));
    } else {
      ({ template, droppedOutputs } = withoutOutputsOfUnmodelled(template, await motoCloudFormationTypes()));
    }
    const templateFile = path.join(this.root, `${stackName}.template.json`);
    fs.writeFileSync(templateFile, JSON.stringify(template, undefined, 1));
    const templateKey = `rehearsal/${stackName}.template.json`;
    uploads.push({ service: 's3', operation: 'put_object', params: { Bucket: bucket, Key: templateKey, BodyFromPath: templateFile } });
    const uploaded = await this.calls(uploads);
    const failedUploads = uploaded.map((r, i) => ({ r, key: uploads[i].params!.Key })).filter(({ r }) => r.error);
    if (failedUploads.length > 0) throw new Error(`publishing assets of ${artifactName} failed: ${JSON.stringify(failedUploads)}`);

    const created = await this.tryCall<{ StackId: string }>('cloudformation', 'create_stack', {
      StackName: stackName,
      TemplateURL: `https://${bucket}.s3.${region}.amazonaws.com/${templateKey}`,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    });
    if (created.error) {
      throw new Error(`create-stack ${stackName} was rejected: ${created.error.code}: ${created.error.message}\nmoto's log during the deploy:\n${this.logTail(logOffset)}`);
    }

    const timeoutMs = options.timeoutMs ?? DEFAULT_STACK_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    let stack: { StackId: string; StackStatus: string; StackStatusReason?: string };
    for (;;) {
      stack = (await this.call<{ Stacks: (typeof stack)[] }>('cloudformation', 'describe_stacks', { StackName: stackName })).Stacks[0];
      if (!stack.StackStatus.endsWith('_IN_PROGRESS') || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (stack.StackStatus !== 'CREATE_COMPLETE') {
      const events = await this.tryCall<{ StackEvents: StackEvent[] }>('cloudformation', 'describe_stack_events', { StackName: stackName });
      const eventLines = (events.result?.StackEvents ?? [])
        .filter((e) => e.ResourceStatus !== 'CREATE_COMPLETE')
        .map((e) => `  ${e.ResourceType} ${e.LogicalResourceId}: ${e.ResourceStatus} ${e.ResourceStatusReason ?? ''}`);
      const what = stack.StackStatus.endsWith('_IN_PROGRESS') ? `still ${stack.StackStatus} after ${timeoutMs / 1000}s` : `${stack.StackStatus} (${stack.StackStatusReason ?? 'no reason given'})`;
      throw new Error(`stack ${stackName} is ${what}\nevents not complete:\n${eventLines.join('\n') || '  (none)'}\nmoto's log during the deploy:\n${this.logTail(logOffset)}`);
    }

    const listed = await this.call<{ StackResourceSummaries: { LogicalResourceId: string; ResourceType: string; PhysicalResourceId: string }[] }>(
      'cloudformation', 'list_stack_resources', { StackName: stackName });
    // moto lists the resource types it skipped as entries without a logical id.
    const resources = Object.fromEntries(listed.StackResourceSummaries.filter((r) => r.LogicalResourceId)
      .map((r) => [r.LogicalResourceId, { type: r.ResourceType, physicalId: r.PhysicalResourceId }]));
    return { stackName, stackId: stack.StackId, resources, removed, droppedOutputs };
  }

  /** Stops moto_server by PID and removes the temp dir (log included); safe to call twice. */
  async stop(): Promise<void> {
    try {
      await this.warm?.stop();
      await this.server.stop();
    } finally {
      fs.rmSync(this.root, { recursive: true, force: true });
    }
  }
}
