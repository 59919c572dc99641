import { toId } from '../core/ids.ts';
import { UsageError, type Command, type CommandContext } from './command.ts';

/** The ID argument of the `people` commands. */
export const personArgument = { name: 'ID', description: 'The person’s number, as `people list` shows it' };

export function personIdOf(ctx: CommandContext, command: Command): number {
  const id = toId(ctx.args[0] ?? '');
  if (id === null) throw new UsageError(`ID must be a person’s number (got "${ctx.args[0]}").`, command);
  return id;
}
