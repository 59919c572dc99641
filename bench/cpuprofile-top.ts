/**
 * Summarises a V8 CPU profile (node --cpu-prof, or `BENCH_CPU_PROF=<dir> npm run bench`):
 * where the time went, by self time per function, by self time per file or package, and by
 * inclusive time (the function and everything it called) for the functions that matter.
 *
 * Usage: node bench/cpuprofile-top.ts FILE.cpuprofile [TOP=25] [FILTER] [CALLERS]
 * FILTER (a regular expression on "function file:line") limits the inclusive table;
 * CALLERS (another) prints the heaviest call stacks whose leaf function matches it.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** A short place for a function: src/… or node_modules/<pkg>/… or node:… */
function place(url: string): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) return file.slice(nm + 1);
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

/** The bucket a file belongs to: a package, a source file, Node's internals or V8's pseudo-frames. */
function bucket(frame: CallFrame): string {
  const p = place(frame.url);
  if (!p) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (p.startsWith('node_modules/')) {
    const parts = p.split('/');
    return parts[1].startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1];
  }
  if (p.startsWith('node:')) return p.split('/').slice(0, 2).join('/');
  return p;
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${place(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

function main(): void {
  const [file, topArg, filter, callers] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/cpuprofile-top.ts FILE.cpuprofile [TOP] [FILTER]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stacks = new Map<string, number>();
  const callersRe = callers ? new RegExp(callers) : null;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // ms
    const leaf = byId.get(profile.samples[i])!;
    total += dt;
    if (leaf.callFrame.functionName === '(idle)') idle += dt;
    const key = label(leaf.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const b = bucket(leaf.callFrame);
    files.set(b, (files.get(b) ?? 0) + dt);
    if (callersRe?.test(key)) {
      const chain: string[] = [];
      for (let id: number | undefined = leaf.id; id !== undefined && chain.length < 14; id = parent.get(id)) chain.push(label(byId.get(id)!.callFrame));
      const k = chain.join('\n        ← ');
      stacks.set(k, (stacks.get(k) ?? 0) + dt);
    }
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const busy = total - idle;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const show = (title: string, map: Map<string, number>, n: number, keep: (k: string) => boolean = () => true) => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, ms] of [...map].filter(([k]) => keep(k) && k !== label({ functionName: '(idle)', url: '', lineNumber: 0 })).sort((a, b) => b[1] - a[1]).slice(0, n)) {
      process.stdout.write(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}\n`);
    }
  };
  process.stdout.write(`${path.basename(file)}: ${(total / 1000).toFixed(2)} s sampled, ${(idle / 1000).toFixed(2)} s idle, ${(busy / 1000).toFixed(2)} s busy (percentages are of busy time)\n`);
  show('Self time by file or package', files, top, (k) => k !== '(idle)');
  show('Self time by function', self, top);
  const re = filter ? new RegExp(filter) : null;
  show(`Inclusive time by function${re ? ` matching /${filter}/` : ''}`, inclusive, top, (k) => (re ? re.test(k) : !k.startsWith('(root)')));
  if (callersRe) show(`Heaviest stacks under /${callers}/`, stacks, 8);
}

main();
