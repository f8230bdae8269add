import type { ApplyEvent } from './provider.js';

/**
 * Live apply progress as lines (issue 14), one formatting for every adapter: each change's start and end as
 * it happens, and for a change running long, "still waiting for … (40 s)". The CLI writes them to stderr
 * (so `--format json` stays clean), the Action to its log with each ended change in a log group, the app
 * into the check run's summary. `write` gets the line and the event it is about.
 */
export function progressLines(write: (line: string, event: ApplyEvent) => void): (event: ApplyEvent) => void {
  const started = new Map<string, number>();
  return (event) => {
    const c = event.change;
    if (event.type === 'start') {
      started.set(c.address, Date.now());
      write(`… ${c.title} (${c.address}): ${c.action} started`, event);
    } else if (event.type === 'waiting') {
      write(`… still waiting for ${c.title} (${Math.round(event.elapsedMs / 1000)} s)`, event);
    } else {
      const since = started.get(c.address);
      const took = since === undefined ? '' : ` in ${((Date.now() - since) / 1000).toFixed(1)} s`;
      const r = event.result;
      write(r.status === 'applied' ? `✓ ${c.title}: applied${took}` : r.status === 'failed' ? `✗ ${c.title}: failed${took}: ${r.error ?? ''}` : `- ${c.title}: not attempted (a change it depends on did not apply)`, event);
    }
  };
}
