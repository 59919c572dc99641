import readline from 'node:readline';
import type { Writable } from 'node:stream';
import { CommandFailure } from './command.ts';

type TtyInput = NodeJS.ReadableStream & { setRawMode?: (mode: boolean) => unknown };

/** The user pressed Ctrl-C at a prompt. */
export class PromptInterrupted extends Error {
  constructor() {
    super('Interrupted.');
    this.name = 'PromptInterrupted';
  }
}

/**
 * Reads one line from a terminal without echoing it (passwords). Backspace edits;
 * Ctrl-C rejects with PromptInterrupted.
 */
export function readHiddenLine(prompt: string, input: TtyInput, output: Writable): Promise<string> {
  if (!input.setRawMode) throw new Error('readHiddenLine needs a terminal (setRawMode).');
  const setRawMode = input.setRawMode.bind(input);
  output.write(prompt);
  setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  let line = '';
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null) => {
      input.removeListener('data', onData);
      setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003') return finish(new PromptInterrupted());
        if (char === '\u0004') {
          if (line === '') return finish(new PromptInterrupted());
          return finish(null);
        }
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else if (char >= ' ') line += char;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of piped input (e.g. `echo "$PASSWORD" | npx kumbaya user create …`), or '' at end of input. */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const lines = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
  }
}

/** Asks twice on a terminal and insists the answers match. */
export async function promptNewPassword(label: string, input: TtyInput, output: Writable): Promise<string> {
  const first = await readHiddenLine(`Password for ${label} (at least 10 characters): `, input, output);
  const second = await readHiddenLine('Type it again: ', input, output);
  if (first !== second) throw new CommandFailure('The two passwords differ; nothing was created. Run the command again.');
  return first;
}
