import type { Writable } from 'node:stream';
import type { Kumbaya } from '../compose.ts';
import type { Config } from '../config/config.ts';
import type { Store } from '../core/store.ts';

/** Where a command reads and writes; the real process streams, or test doubles. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: Record<string, string | undefined>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. EMAIL. */
  value?: string;
  description: string;
  required?: boolean;
  /** Allowed values; anything else is a usage error. */
  choices?: readonly string[];
}

export interface CommandContext {
  /** Option values as given (strings for string options, true for flags). */
  options: Record<string, string | boolean | undefined>;
  /** The command's positional arguments (FILE…), as many as it declares. */
  args: string[];
  io: CliIo;
  /** Settings from the environment, exactly as the server reads them. */
  config(): Config;
  /** The configured store (migrated) and services; closed when the command ends. */
  open(): Promise<Kumbaya>;
  /**
   * Only the configured store (migrated), without the rest of the application (an import
   * needs no more, and loads faster and in less memory without it); closed when the command ends.
   */
  openStore(): Promise<Store>;
  /**
   * Tells every running instance that something changed (as the server's services do), through
   * the change feed of the store openStore() opened, which is closed (its change written) when the command ends.
   */
  publish(topic: string): Promise<void>;
}

/**
 * One CLI command. Each lives in its own file and is listed once in commands.ts; help,
 * option parsing and error handling come from main.ts.
 */
export interface Command {
  /** The words that invoke it, e.g. "user create". */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Further paragraphs for `kumbaya <command> --help`. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments after the command words, each required (e.g. FILE). */
  arguments?: Array<{ name: string; description: string }>;
  /** Full command lines, starting with `npx kumbaya`. */
  examples: string[];
  /** Resolves to the exit code (0 when nothing is returned). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** The command line itself is wrong: exit code 2, with a hint at the usage. */
export class UsageError extends Error {
  /** The command whose usage to point at, if known. */
  readonly command: Command | null;
  constructor(message: string, command: Command | null = null) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** The command could not do its work for a reason the user can act on: exit code 1, message only. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** A string option's value (main.ts has already enforced `required`). */
export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A time for people reading a terminal: 2026-01-05 10:00 UTC. */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
