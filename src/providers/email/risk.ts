import type { Risk } from '../../core/plan.js';
import { parseMtaStsPolicy } from './mta-sts-policy.js';
import { dmarcValues, parseTagList } from './records.js';
import type { Section } from './desired.js';

/** Risk and reason of a change, per the reference's list of risky email changes. */
export interface Assessment {
  risk: Risk;
  reason: string;
}

const safe = (reason: string): Assessment => ({ risk: 'safe', reason });

function tags(value: string | undefined): Map<string, string> {
  if (!value) return new Map();
  return new Map(parseTagList(value).tags.map((t) => [t.name.toLowerCase(), t.value]));
}

function addresses(value: string | undefined, tag: string): string[] {
  return (tags(value).get(tag) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** TXT record changes at a managed name. `liveMtaStsMode` comes from the live policy file when Charter hosts it. */
export function assessTxt(section: Section, before: string | undefined, after: string | undefined, liveMtaStsMode?: string): Assessment {
  if (after === undefined) {
    switch (section) {
      case 'mtaSts':
        return liveMtaStsMode === 'none'
          ? safe('MTA-STS is removed after publishing mode none')
          : { risk: 'destructive', reason: `Deleting _mta-sts while the live policy is in mode ${liveMtaStsMode ?? 'unknown'}: senders keep the cached policy until max_age and cannot learn it changed. Publish mode none with a new id first, wait max_age, then delete.` };
      case 'bimi':
        return { risk: 'destructive', reason: 'Deleting the BIMI record removes the logo from every mailbox provider.' };
      case 'tlsRpt':
        return { risk: 'destructive', reason: 'Deleting the TLS-RPT record stops TLS failure reports: MTA-STS problems go unnoticed.' };
      case 'dmarc':
        return { risk: 'destructive', reason: 'Deleting DMARC removes the domain\'s protection against spoofing (and breaks BIMI).' };
    }
  }
  if (before === undefined) {
    if (section === 'dmarc') {
      const p = dmarcValues(after)?.p;
      if (p && p !== 'none') return { risk: 'disruptive', reason: `Publishing DMARC with p=${p} makes receivers act on failing mail: check DMARC reports first.` };
    }
    return safe('Declared in the policy and not present in the zone');
  }
  switch (section) {
    case 'bimi': {
      const [b, a] = [tags(before), tags(after)];
      for (const [tag, label] of [['l', 'logo (l=)'], ['a', 'mark certificate (a=)']] as const) {
        if (b.get(tag) && !a.get(tag)) return { risk: 'disruptive', reason: `Removes the BIMI ${label}: providers stop showing the logo.` };
      }
      return safe('BIMI record differs from the policy');
    }
    case 'tlsRpt': {
      const removed = addresses(before, 'rua').filter((r) => !addresses(after, 'rua').includes(r));
      return removed.length ? { risk: 'disruptive', reason: `Stops TLS reports to ${removed.join(', ')}.` } : safe('TLS-RPT record differs from the policy');
    }
    case 'dmarc': {
      const [b, a] = [dmarcValues(before), dmarcValues(after)];
      const changed = (['p', 'sp', 'pct'] as const).filter((k) => String(b?.[k] ?? '') !== String(a?.[k] ?? ''));
      return changed.length
        ? { risk: 'disruptive', reason: `Changes DMARC ${changed.map((k) => `${k}=${b?.[k] ?? '(unset)'}→${a?.[k] ?? '(unset)'}`).join(', ')}: this changes what receivers do with failing mail.` }
        : safe('DMARC record differs from the policy');
    }
    case 'mtaSts':
      return safe('The MTA-STS policy changed, so its id changes and senders fetch the new policy');
  }
}

/** Changes to the MTA-STS policy file itself: weakening or narrowing it can stop mail. */
export function assessPolicyFile(beforeText: string | undefined, after: { mode: string; mx: string[]; maxAge: number }): Assessment {
  if (beforeText === undefined) return safe('Publishes the MTA-STS policy file');
  const before = parseMtaStsPolicy(beforeText);
  if (before.mode === 'enforce' && after.mode !== 'enforce') {
    return { risk: 'disruptive', reason: `Lowers MTA-STS from enforce to ${after.mode}: senders stop requiring TLS to your MX hosts.` };
  }
  if (before.mode !== 'enforce' && after.mode === 'enforce') {
    return { risk: 'disruptive', reason: `Switches MTA-STS from ${before.mode ?? 'an unreadable policy'} to enforce: senders refuse to deliver when TLS to an MX host fails. Check the TLS reports first.` };
  }
  if (before.maxAge !== undefined && after.maxAge < before.maxAge) {
    return { risk: 'disruptive', reason: `Lowers max_age from ${before.maxAge} to ${after.maxAge}: senders re-fetch the policy more often and fall back sooner when it is unreachable.` };
  }
  const removed = before.mx.filter((m) => !after.mx.map((x) => x.toLowerCase()).includes(m.toLowerCase()));
  if (before.mode === 'enforce' && after.mode === 'enforce' && removed.length) {
    return { risk: 'disruptive', reason: `Removes mx ${removed.join(', ')} in enforce mode: senders that cached the new policy refuse to deliver to those hosts.` };
  }
  return safe('The policy file differs from the policy');
}
