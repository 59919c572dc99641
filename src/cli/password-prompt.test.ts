import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { CommandFailure } from './command.ts';
import { PromptInterrupted, promptNewPassword, readFirstLine, readHiddenLine } from './password-prompt.ts';

/** A stand-in terminal: keys are written into `input`; what the program shows collects in `shown`. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), {
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      input.rawModes.push(mode);
      return input;
    },
  });
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
  return { input, output, shown: () => shown };
}

test('reads a line without echoing it, with backspace, and restores the terminal', async () => {
  const terminal = fakeTerminal();
  const line = readHiddenLine('Password: ', terminal.input, terminal.output);
  terminal.input.write('secx');
  terminal.input.write('\u007fret pass\r');
  assert.equal(await line, 'secret pass');
  assert.deepEqual(terminal.input.rawModes, [true, false]);
  assert.equal(terminal.shown(), 'Password: \n', 'nothing typed is shown');
});

test('Ctrl-C at the prompt interrupts', async () => {
  const terminal = fakeTerminal();
  const line = readHiddenLine('Password: ', terminal.input, terminal.output);
  terminal.input.write('abc\u0003');
  await assert.rejects(line, PromptInterrupted);
  assert.deepEqual(terminal.input.rawModes, [true, false]);
});

test('a new password is asked twice and must match', async () => {
  const matching = fakeTerminal();
  const ok = promptNewPassword('ada@example.com', matching.input, matching.output);
  matching.input.write('long enough pw\r');
  await new Promise((resolve) => setImmediate(resolve));
  matching.input.write('long enough pw\r');
  assert.equal(await ok, 'long enough pw');
  assert.match(matching.shown(), /Password for ada@example\.com/);

  const differing = fakeTerminal();
  const bad = promptNewPassword('ada@example.com', differing.input, differing.output);
  differing.input.write('long enough pw\r');
  await new Promise((resolve) => setImmediate(resolve));
  differing.input.write('another one!!\r');
  await assert.rejects(bad, CommandFailure);
});

test('piped input gives its first line, without the line ending', async () => {
  const piped = new PassThrough();
  piped.end('first line\r\nsecond line\n');
  assert.equal(await readFirstLine(piped), 'first line');

  const empty = new PassThrough();
  empty.end();
  assert.equal(await readFirstLine(empty), '');
});
