/** `/charter …` commands in pull request comments. Pure. */
import { inlineCode } from '../core/markdown.js';

export type Command = { name: 'plan' } | { name: 'apply' } | { name: 'help'; unknown?: string };

/** The command on the first line of a comment, or undefined when the comment is not addressed to Charter. */
export function parseCommand(body: string): Command | undefined {
  const first = body.trimStart().split(/\r?\n/, 1)[0].trim();
  const match = /^\/charter(?:\s+(\S+))?(?:\s.*)?$/i.exec(first);
  if (!match) return undefined;
  const word = (match[1] ?? '').toLowerCase();
  if (word === 'plan') return { name: 'plan' };
  if (word === 'apply') return { name: 'apply' };
  return word === '' || word === 'help' ? { name: 'help' } : { name: 'help', unknown: match[1] };
}

export function helpReply(unknown?: string): string {
  return [
    unknown ? `Charter does not know the command ${inlineCode(unknown)}.` : 'Charter commands (for users with write access):',
    '',
    '- `/charter plan`: plan this pull request again (check run and plan comment).',
    '- `/charter apply`: apply the reviewed plan. Charter applies on merge by itself; before the merge this works only where the repository opts in with `allowApplyBeforeMerge: true` in `.github/charter.yml`.',
    '- `/charter help`: this message.',
  ].join('\n');
}
