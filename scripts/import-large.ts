/**
 * The large-import check (not part of npm test): generates a WordPress export with 10,000
 * posts and 100,000 comments, imports it with the real command into a fresh SQLite
 * database (or PostgreSQL when DATABASE_URL is set), and prints the time and the peak
 * memory (RSS) of the importing process.
 *
 *   node_modules/.bin/node scripts/import-large.ts [POSTS] [COMMENTS]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateWxr } from './generate-wxr.ts';

const [posts = '10000', comments = '100000'] = process.argv.slice(2);
const root = path.join(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-large-import-'));
const file = path.join(dir, 'large.xml');
await generateWxr(file, Number(posts), Number(comments));
process.stderr.write(`Generated ${file}: ${posts} posts, ${comments} comments, ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB\n`);

// The import runs in a child process so that the peak memory it prints on stderr is its own.
const started = performance.now();
// Run as `npx kumbaya` runs it: the script itself, with the project's Node.js first on PATH.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' };
const child = spawn(path.join(root, 'bin/kumbaya.js'), ['import', 'wordpress', file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
let report = '';
child.stdout.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(report.split('\n').slice(0, 12).join('\n') + '\n');
process.stdout.write(`Exit code ${code}; ${seconds.toFixed(1)} s wall time.\n`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(code);
