/**
 * Branch filter globs, matched in time linear in the branch name (for a pattern of bounded length): the
 * pattern is a small automaton simulated over a set of states, never a regex built from user text, so a
 * hostile pattern or branch name cannot make matching backtrack.
 *
 * Syntax (git ref names cannot contain `*`, `?`, `[` or `\`, so nothing needs escaping):
 * - `*`  any run of characters except `/` (none included);
 * - `**` any run of characters, `/` included;
 * - `?`  exactly one character except `/`;
 * - anything else matches itself. Characters are Unicode code points, so `?` matches one `é`.
 *
 * `matchGlob` is the one entry point: swap its body to use a shared matcher without touching callers.
 */

type Token = { kind: 'literal'; char: string } | { kind: 'one' } | { kind: 'star' } | { kind: 'globstar' };

const compiled = new Map<string, Token[]>();

function compile(pattern: string): Token[] {
  let tokens = compiled.get(pattern);
  if (tokens) return tokens;
  tokens = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '*') {
      let run = 1;
      while (chars[i + 1] === '*') {
        run++;
        i++;
      }
      // `***` is `**`: consecutive stars collapse, which also keeps the state count at most the pattern length.
      tokens.push({ kind: run >= 2 ? 'globstar' : 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
    } else {
      tokens.push({ kind: 'literal', char: c });
    }
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(pattern, tokens);
  return tokens;
}

/** Adds the states reachable without reading a character: a star may match nothing. */
function close(tokens: readonly Token[], states: Uint8Array): void {
  for (let i = 0; i < tokens.length; i++) {
    const k = tokens[i].kind;
    if (states[i] && (k === 'star' || k === 'globstar')) states[i + 1] = 1;
  }
}

/** Whether `name` matches `pattern` as a whole. O(|name| × |pattern|) time, O(|pattern|) memory. */
export function matchGlob(pattern: string, name: string): boolean {
  const tokens = compile(pattern);
  let states = new Uint8Array(tokens.length + 1);
  let next = new Uint8Array(tokens.length + 1);
  states[0] = 1;
  close(tokens, states);
  for (const c of name) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < tokens.length; i++) {
      if (!states[i]) continue;
      const t = tokens[i];
      if (t.kind === 'literal') {
        if (t.char === c) next[i + 1] = 1;
      } else if (t.kind === 'one') {
        if (c !== '/') next[i + 1] = 1;
      } else if (t.kind === 'star') {
        if (c !== '/') next[i] = 1;
      } else {
        next[i] = 1;
      }
    }
    close(tokens, next);
    for (let i = 0; i <= tokens.length; i++) if (next[i]) any = true;
    if (!any) return false;
    [states, next] = [next, states];
  }
  return states[tokens.length] === 1;
}

/** Problems with a pattern that can never match a branch name (git check-ref-format rules), or undefined. */
export function globProblem(pattern: string): string | undefined {
  if (/[\s~^:[\\]/.test(pattern)) return 'contains a character git never allows in a branch name (space, ~, ^, :, [ or \\)';
  if (pattern.startsWith('/') || pattern.endsWith('/')) return 'starts or ends with /, which no branch name does';
  if (pattern.includes('//')) return 'contains //, which no branch name does';
  if (pattern.startsWith('refs/')) return 'names a full ref; write the branch name without refs/heads/';
  return undefined;
}
