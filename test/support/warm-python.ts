/**
 * A Python that has already imported the AWS CLI and boto3, for rehearsals that call them hundreds of times: each
 * program still runs in a process of its own (a fork), with its own arguments, environment, directory and standard
 * streams, but without the 0.3 CPU-seconds of imports a fresh `aws` spends first. See warm-python-server.py.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Server } from './rehearsal';
import { realProgram } from './system-deps';

const SERVER = path.join(__dirname, 'warm-python-server.py');
const CLIENT = path.join(__dirname, 'warm-python-client.py');

/** What the AWS CLI (v1, the machine image's) and boto3 import before they do anything, and their data (warm_botocore.py). */
export const AWS_MODULES = ['awscli.clidriver', 'awscli.handlers', 'boto3', 'warm_botocore'];

/** python3's real executable: a pyenv shim runs pyenv on every start. */
export function pythonExecutable(): string {
  return realProgram('python3') ?? 'python3';
}

export class WarmPython {
  /**
   * Starts a server in `dir` that has imported `modules`, and waits until it listens. Its programs must run with the
   * interpreter's settings of `clientEnv` (PYTHON* variables, read as Python starts): it refuses others.
   */
  static async start(dir: string, modules: readonly string[], clientEnv: NodeJS.ProcessEnv): Promise<WarmPython> {
    const socket = path.join(dir, 'warm-python.sock');
    const logFile = path.join(dir, 'warm-python.log');
    const fd = fs.openSync(logFile, 'a');
    let server: Server;
    try {
      // Only what the interpreter and imports may read: the programs get their callers' environments.
      const python = Object.fromEntries(Object.entries(clientEnv).filter(([key]) => key.startsWith('PYTHON')));
      const env = { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: dir, ...python };
      const child = spawn(pythonExecutable(), [SERVER, socket, ...modules], { env, stdio: ['ignore', fd, fd] });
      child.on('error', (error) => fs.appendFileSync(logFile, `\nspawn failed: ${error.message}\n`));
      server = new Server('warm python', child, logFile, 0);
    } finally {
      fs.closeSync(fd);
    }
    const warm = new WarmPython(socket, server);
    try {
      await server.waitUntilReady(async () => server.log.includes('ready\n'));
    } catch (error) {
      await server.stop();
      throw error;
    }
    return warm;
  }

  private constructor(private readonly socket: string, private readonly server: Server) {}

  /** The command line that runs a Python program in the server: append `SCRIPT ARGS...` or `-c CODE ARGS...`. */
  get command(): string[] {
    return [pythonExecutable(), '-I', '-S', CLIENT, this.socket];
  }

  /** The same, quoted for a shell script. */
  get shellCommand(): string {
    return this.command.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
