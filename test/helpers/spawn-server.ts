import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const projectRoot = path.join(import.meta.dirname, '../..');

export interface RunningServer {
  child: ChildProcess;
  port: number;
  url: string;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
  /** The one-time setup link printed on first start, if any. */
  setupLink: () => string | null;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'kumbaya-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts `node src/main.js` as `npm start` would, on a free port (or `env.PORT`), and waits
 * until it listens. `port` and `url` are where it listens, even when SITE_URL names a proxy in front.
 */
export async function spawnServer(env: Record<string, string>): Promise<RunningServer> {
  const fixedPort = env.PORT && env.PORT !== '0' ? Number(env.PORT) : null;
  const child = spawn(process.execPath, ['src/main.js'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${out}\n${err}`));
    }, 20_000);
    const check = () => {
      const match = /Kumbaya is running at http:\/\/[^:/\s]+:(\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(fixedPort ?? Number(match[1]));
      }
    };
    child.stderr!.on('data', check);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited:\n${out}\n${err}`));
    });
  });
  return {
    child,
    port,
    url: `http://localhost:${port}`,
    stderr: () => err,
    stdout: () => out,
    exited,
    setupLink: () => /Claim your site \(this link works once\): (http:\/\/\S+)/.exec(err)?.[1] ?? null,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
