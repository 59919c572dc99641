import type { Command, OptionSpec } from './command.ts';

const PROGRAM = 'npx kumbaya';

function optionLabel(name: string, spec: OptionSpec): string {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : long;
}

/** Two columns: labels padded to the widest. */
function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `  ${label.padEnd(width)}   ${text}`).join('\n');
}

/** `npx kumbaya user create --name NAME … [--password PASSWORD]` */
export function usageLine(command: Command): string {
  const parts = Object.entries(command.options).map(([name, spec]) => (spec.required ? optionLabel(name, spec) : `[${optionLabel(name, spec)}]`));
  return [PROGRAM, command.name, ...(command.positionals ?? []).map((p) => p.name), ...parts].join(' ');
}

export function generalHelp(commands: readonly Command[], version: string): string {
  return `Kumbaya ${version}: a self-hosted blog built for conversation.

Usage: ${PROGRAM} <command> [options]

Commands:
${columns(commands.map((c) => [c.name, c.summary]))}

Options:
${columns([
  ['-h, --help', `Show this help, or a command's: ${PROGRAM} <command> --help`],
  ['-v, --version', 'Print the version'],
])}

Examples:
${commands.map((c) => `  ${c.examples[0]}`).join('\n')}

Commands read the server's settings from the environment: DATA_DIR (SQLite, default ./data)
or DATABASE_URL (PostgreSQL), SITE_URL and the rest; run them where the server runs.
Exit codes: 0 done, 1 failed, 2 wrong usage.
`;
}

export function commandHelp(command: Command): string {
  const options: Array<[string, string]> = Object.entries(command.options).map(([name, spec]) => [optionLabel(name, spec), spec.description + (spec.required ? ' (required)' : '')]);
  options.unshift(...(command.positionals ?? []).map((p): [string, string] => [p.name, p.description]));
  options.push(['-h, --help', 'Show this help']);
  return `Usage: ${usageLine(command)}

${command.summary}.
${command.details ? `\n${command.details}\n` : ''}
${command.positionals ? 'Arguments and options' : 'Options'}:
${columns(options)}

Examples:
${command.examples.map((e) => `  ${e}`).join('\n')}
`;
}
