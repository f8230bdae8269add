/**
 * Colour for the text output on a terminal, as most CLIs decide it: FORCE_COLOR (other than 0/false) turns it
 * on anywhere, a non-empty NO_COLOR (no-color.org) turns it off, otherwise only a terminal that has colours
 * (not TERM=dumb) gets it. JSON and Markdown are never coloured.
 */

export interface ColourStream {
  isTTY?: boolean;
  hasColors?: () => boolean;
}

export function colourEnabled(stream: ColourStream, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY) && (stream.hasColors?.() ?? true);
}

const paint = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[39m`;
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const cyan = paint(36);
const bold = (text: string) => `\x1b[1m${text}\x1b[22m`;

/** Colours a rendered text plan, report or diagnostic list line by line (a fixed set of prefixes: linear). */
export function colourise(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const body = line.trimStart();
      if (body.startsWith('+ ')) return green(line);
      if (body.startsWith('- ')) return red(line);
      if (body.startsWith('~ ') || body.startsWith('± ')) return yellow(line);
      if (body.startsWith('▶ ')) return cyan(line);
      if (line.startsWith('Plan:') || line.startsWith('Applied') || line.startsWith('No changes') || line.startsWith('Nothing')) return bold(line);
      // Diagnostics: `file:line:col <severity> <code> message`.
      return line.replace(/^(\S+:\d+:\d+ )(error|warning|notice)( )/, (_m, at: string, severity: string, sp: string) => at + (severity === 'error' ? red : severity === 'warning' ? yellow : cyan)(severity) + sp);
    })
    .join('\n');
}
