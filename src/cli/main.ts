import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Kumbaya } from '../compose.ts';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import type { ChangeFeed } from '../core/change-feed.ts';
import { DomainError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import { CommandFailure, UsageError, type CliIo, type Command, type CommandContext } from './command.ts';
import { commands } from './commands.ts';
import { commandHelp, generalHelp, usageLine } from './help.ts';
import { PromptInterrupted } from './password-prompt.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The command named by the leading words of argv (the longest match), and the arguments after it. */
function findCommand(argv: string[]): { command: Command; rest: string[] } {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  for (let n = words.length; n > 0; n--) {
    const command = commands.find((c) => c.name === words.slice(0, n).join(' '));
    if (command) return { command, rest: argv.slice(n) };
  }
  if (words.length === 0) throw new UsageError(`Start with a command, not "${argv[0]}".`);
  const group = commands.filter((c) => c.name.startsWith(`${words[0]} `));
  if (group.length > 0) {
    const names = group.map((c) => `"${c.name}"`);
    const choices = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
    throw new UsageError(words.length === 1 ? `"${words[0]}" needs a subcommand: ${choices}.` : `Unknown command "${words.join(' ')}"; did you mean ${choices}?`);
  }
  throw new UsageError(`Unknown command "${words[0]}".`);
}

function parseOptions(command: Command, args: string[]): { help: boolean; values: CommandContext['options']; positionals: string[] } {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) config[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  let values: CommandContext['options'];
  let positionals: string[];
  const wanted = command.arguments ?? [];
  try {
    ({ values, positionals } = parseArgs({ args, options: config, strict: true, allowPositionals: wanted.length > 0 }) as { values: CommandContext['options']; positionals: string[] });
  } catch (error) {
    // Node's messages are precise but go on about "--"; the first sentence is the useful part.
    const message = (error as Error).message.split(/(?<=\.) /)[0].replace(/\.?$/, '.');
    throw new UsageError(message, command);
  }
  if (values.help) return { help: true, values, positionals };
  if (positionals.length < wanted.length) throw new UsageError(`Missing ${wanted[positionals.length].name} (${wanted[positionals.length].description.toLowerCase()}).`, command);
  if (positionals.length > wanted.length) throw new UsageError(`Unexpected argument "${positionals[wanted.length]}".`, command);
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    if (spec.required && (value === undefined || value === '')) throw new UsageError(`Missing --${name} (${spec.description.toLowerCase()}).`, command);
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${value}").`, command);
    }
  }
  return { help: false, values, positionals };
}

function report(error: unknown, command: Command | null, io: CliIo): number {
  const say = (text: string) => io.stderr.write(`kumbaya: ${text}\n`);
  if (error instanceof UsageError) {
    say(error.message);
    const about = error.command ?? command;
    io.stderr.write(about ? `Usage: ${usageLine(about)}\nMore: npx kumbaya ${about.name} --help\n` : 'See the commands: npx kumbaya --help\n');
    return EXIT_USAGE;
  }
  if (error instanceof PromptInterrupted) return EXIT_INTERRUPTED;
  if (error instanceof ConfigError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof DomainError) {
    say(error.message);
    const fields = Object.entries(error.fields);
    if (fields.length > 1) for (const [name, problem] of fields) io.stderr.write(`  --${name}: ${problem}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof CommandFailure) {
    say(error.message);
    return EXIT_FAILURE;
  }
  say(`failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
  if (io.env.LOG_LEVEL === 'debug' || io.env.LOG_LEVEL === 'trace') io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  else io.stderr.write('Run again with LOG_LEVEL=debug for details.\n');
  return EXIT_FAILURE;
}

/** Runs one command line (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const opened: { kumbaya: Kumbaya | null; store: Store | null; changes: ChangeFeed | null } = { kumbaya: null, store: null, changes: null };
  let command: Command | null = null;
  try {
    const [first] = argv;
    if (first === undefined) {
      io.stderr.write(generalHelp(commands, version()));
      return EXIT_USAGE;
    }
    if (first === '-h' || first === '--help') {
      io.stdout.write(generalHelp(commands, version()));
      return EXIT_OK;
    }
    if (first === '-v' || first === '--version') {
      io.stdout.write(`kumbaya ${version()}\n`);
      return EXIT_OK;
    }
    if (first === 'help') {
      io.stdout.write(argv.length === 1 ? generalHelp(commands, version()) : commandHelp(findCommand(argv.slice(1)).command));
      return EXIT_OK;
    }
    const found = findCommand(argv);
    command = found.command;
    const parsed = parseOptions(command, found.rest);
    if (parsed.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    let config: Config | null = null;
    // Loaded when first wanted, so that help and usage errors answer without it.
    const cliLogger = async () => {
      const { pino } = await import('pino');
      // Logs go to stderr so that stdout carries only what the command prints.
      return pino({ level: ctx.config().logLevel, base: { app: 'kumbaya-cli' } }, pino.destination({ dest: 2, sync: true }));
    };
    const ctx: CommandContext = {
      options: parsed.values,
      args: parsed.positionals,
      io,
      config: () => (config ??= loadConfig(io.env)),
      async open() {
        if (opened.kumbaya) return opened.kumbaya;
        if (opened.store) throw new Error('open() after openStore(): a command opens one or the other');
        const settings = ctx.config();
        // Loaded here so that help and usage errors answer without loading the whole application.
        const { composeKumbaya } = await import('../compose.ts');
        opened.kumbaya = await composeKumbaya(settings, { logger: await cliLogger() });
        return opened.kumbaya;
      },
      async openStore() {
        if (opened.kumbaya) return opened.kumbaya.deps.store;
        if (opened.store) return opened.store;
        const { openStore } = await import('../adapters/storage/open-store.ts');
        opened.store = await openStore(ctx.config());
        return opened.store;
      },
      async publish(topic) {
        if (opened.kumbaya) return opened.kumbaya.deps.changes.publish(topic);
        const store = await ctx.openStore();
        if (!opened.changes) {
          const [{ openChangeFeed }, { systemClock }] = await Promise.all([import('../adapters/storage/open-store.ts'), import('../core/clock.ts')]);
          opened.changes = await openChangeFeed(ctx.config(), store, { logger: await cliLogger(), clock: systemClock });
        }
        opened.changes.publish(topic);
      },
    };
    return (await command.run(ctx)) ?? EXIT_OK;
  } catch (error) {
    return report(error, command, io);
  } finally {
    await opened.kumbaya?.close();
    // The feed first: closing it writes what was published to the change log.
    await opened.changes?.close();
    await opened.store?.close();
  }
}
