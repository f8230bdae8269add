import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { Json } from '../../src/core/json.js';
import { buildPlan, type ApplyReport, type Change, type ChangeResult, type Plan } from '../../src/core/plan.js';

const kinds = ['EmailSecurity', 'RedshiftGrants', 'ProtectionGroups', 'PackagePublishing', 'BranchPipelines'];
const kindOrder = (kind: string) => kinds.indexOf(kind);
export const salt = { repository: 'acme/infra', pullRequest: 42 };

type ChangeSpec = Pick<Change, 'address' | 'action'> & Partial<Change>;

export function change(spec: ChangeSpec): Change {
  const [prefix = 'email', policy = 'example-com'] = spec.address.split('/');
  return {
    kind: prefix === 'email' ? 'EmailSecurity' : prefix === 'shield' ? 'ProtectionGroups' : 'RedshiftGrants',
    policy,
    file: `policies/${policy}.yaml`,
    line: 8,
    column: 5,
    title: spec.address.split('/').slice(-2).join(' '),
    before: null,
    after: null,
    risk: 'safe',
    reason: '',
    phase: 0,
    ...spec,
  };
}

export function plan(changes: Change[], diagnostics: Diagnostic[] = [], inputs: Record<string, Json> = {}): Plan {
  const policies = [...new Set(changes.map((c) => `${c.kind}/${c.policy}`))];
  return buildPlan({ changes, diagnostics, inputs, policies, salt, kindOrder });
}

export const txt = (value: string): Json => ({ ttl: 300, type: 'TXT', values: [value] });

export function emptyPlan(): Plan {
  return plan([], [], { 'EmailSecurity/example-com': { zone: 'Z123' } });
}

export function createsOnly(): Plan {
  return plan([
    change({
      address: 'email/example-com/route53/TXT/_mta-sts.example.com.',
      action: 'create',
      title: 'TXT _mta-sts.example.com.',
      after: txt('v=STSv1; id=20240601'),
      reason: 'MTA-STS is declared and the record is missing.',
      line: 12,
      column: 7,
    }),
    change({
      address: 'email/example-com/route53/TXT/_smtp._tls.example.com.',
      action: 'create',
      title: 'TXT _smtp._tls.example.com.',
      after: txt('v=TLSRPTv1; rua=mailto:tls-reports@example.com'),
      reason: 'TLS reporting is declared and the record is missing.',
      line: 20,
      column: 7,
    }),
    change({
      address: 'shield/web-tier/protection-group/web-tier',
      action: 'create',
      title: 'protection group web-tier',
      after: { aggregation: 'SUM', pattern: 'BY_RESOURCE_TYPE', resourceType: 'ELASTIC_IP_ALLOCATION' },
      reason: 'The protection group does not exist.',
      file: 'policies/shield.yaml',
      line: 4,
      column: 3,
    }),
  ]);
}

export function riskyPlan(): Plan {
  return plan([
    change({
      address: 'email/example-com/route53/TXT/_mta-sts.example.com.',
      action: 'update',
      title: 'TXT _mta-sts.example.com.',
      before: txt('v=STSv1; id=20240101'),
      after: txt('v=STSv1; id=20240601'),
      reason: 'The policy id changes because the policy file changed.',
      line: 12,
      column: 7,
    }),
    change({
      address: 'email/example-com/s3/mta-sts/.well-known/mta-sts.txt',
      action: 'update',
      title: 'MTA-STS policy file',
      before: { mode: 'testing', mx: ['mx1.example.com'], max_age: 86400 },
      after: { mode: 'enforce', mx: ['mx1.example.com', 'mx2.example.com'], max_age: 604800 },
      risk: 'disruptive',
      reason: 'Switching MTA-STS to enforce makes senders refuse delivery when TLS to an MX fails.',
      line: 14,
      column: 9,
    }),
    change({
      address: 'email/example-com/route53/TXT/old._domainkey.example.com.',
      action: 'delete',
      title: 'TXT old._domainkey.example.com.',
      before: txt('v=DKIM1; p=MIGfMA0G'),
      risk: 'destructive',
      reason: 'The record is owned by this policy and no longer declared (prune is on).',
      line: 3,
      column: 1,
    }),
    change({
      address: 'redshift/analytics/role/sales_ro',
      action: 'create',
      title: 'role sales_ro',
      after: { name: 'sales_ro', grants: ['USAGE ON SCHEMA sales'] },
      reason: 'Declared role does not exist.',
      file: 'policies/analytics.yaml',
      line: 6,
      column: 5,
    }),
  ]);
}

export function invalidPlan(): Plan {
  const diagnostics: Diagnostic[] = [
    {
      file: 'policies/example-com.yaml',
      line: 9,
      column: 11,
      code: 'email/bimi-needs-dmarc-enforcement',
      severity: 'error',
      message: 'BIMI requires a DMARC policy of quarantine or reject, but p=none is declared.',
      hint: 'Set spec.dmarc.policy to quarantine or reject before publishing BIMI.',
      policy: 'EmailSecurity/example-com',
    },
    {
      file: 'policies/example-com.yaml',
      line: 2,
      column: 1,
      code: 'schema/required',
      severity: 'error',
      message: "must have required property 'spec'",
    },
    {
      file: 'policies/analytics.yaml',
      line: 17,
      column: 9,
      code: 'redshift/grant-to-public',
      severity: 'warning',
      message: 'Granting to PUBLIC gives every user access to schema sales.',
      hint: 'Grant to a role instead.',
    },
    {
      file: 'policies/analytics.yaml',
      line: 30,
      column: 3,
      code: 'redshift/unused-role',
      severity: 'notice',
      message: 'Role marketing_ro is declared but granted to nobody.',
    },
  ];
  return plan([], diagnostics);
}

export function appliedReport(): ApplyReport {
  const p = createsOnly();
  return { plan: p, ok: true, results: p.changes.map((c) => ({ address: c.address, status: 'applied' })) };
}

export function failedReport(): ApplyReport {
  const p = riskyPlan();
  const results: ChangeResult[] = [
    { address: p.changes[0].address, status: 'applied' },
    {
      address: p.changes[1].address,
      status: 'failed',
      error:
        'AccessDenied: User arn:aws:sts::123456789012:assumed-role/charter-apply/gha is not authorized to perform: s3:PutObject',
    },
  ];
  return { plan: p, ok: false, results };
}

/** 5,000 changes across 100 policies; every 250th change is destructive, every 333rd disruptive. */
export function hugePlan(): Plan {
  const changes: Change[] = [];
  for (let i = 0; i < 5000; i++) {
    const policy = `domain-${String(Math.floor(i / 50)).padStart(3, '0')}`;
    const name = `rec-${String(i).padStart(4, '0')}.${policy}.example.com.`;
    const destructive = i % 250 === 7;
    const disruptive = !destructive && i % 333 === 5;
    changes.push(
      change({
        address: `email/${policy}/route53/TXT/${name}`,
        action: destructive ? 'delete' : i % 2 ? 'update' : 'create',
        title: `TXT ${name}`,
        before: destructive || i % 2 ? txt(`old value ${i}`) : null,
        after: destructive ? null : txt(`new value ${i} ${'x'.repeat(40)}`),
        risk: destructive ? 'destructive' : disruptive ? 'disruptive' : 'safe',
        reason: destructive ? `Record ${i} is no longer declared.` : `Record ${i} differs.`,
        line: 10 + (i % 50),
      }),
    );
  }
  return plan(changes);
}

/** User-controlled strings that try to break out of the comment's Markdown. */
export function injectionPlan(): Plan {
  const evil =
    '</details><!-- x --> --> @org/team | `code` *bold* _u_ [link](https://evil.example) # h <img src=x onerror=alert(1)>';
  return plan(
    [
      change({
        address: 'email/evil</details>/route53/TXT/`x`|y',
        action: 'delete',
        policy: 'evil</details><!--',
        title: `TXT ${evil}`,
        before: txt('```\n</details>\n<!-- charter:comment -->\n@org/team | ping'),
        risk: 'destructive',
        reason: `Reason with ${evil}\n# heading\n- list`,
      }),
      change({
        address: 'email/evil/route53/TXT/ok',
        action: 'create',
        policy: '@org/team',
        title: '-- @admin ping',
        after: txt('@org/team `` ``` -->'),
        reason: '1. not a list',
      }),
    ],
    [
      {
        file: 'policies/evil|`.yaml',
        line: 1,
        column: 1,
        code: 'schema/x',
        severity: 'error',
        message: 'Bad value: </details> @everyone <!-- | -->',
        hint: '`backticks` and *stars*',
      },
    ],
  );
}
