import { describe, expect, it } from 'vitest';
import { renderComment, renderDriftIssue, renderJobSummary } from '../../src/core/render/index.js';
import { hugePlan } from './fixtures.js';

const runUrl = 'https://github.com/acme/infra/actions/runs/123456';
const artifactUrl = `${runUrl}/artifacts/987`;

describe('where a cut comment sends its reader', () => {
  it('to the plan artifact when the run uploaded one', () => {
    const body = renderComment({ plan: hugePlan(), state: 'planned', runUrl, artifactUrl }, 30_000);
    expect(body.length).toBeLessThanOrEqual(30_000);
    expect(body).toMatch(/more changes are not shown here\*\* \(GitHub limits comments to 30,000 characters\)\. The full plan is in the job summary and in the \[plan artifact\]\(https:\/\/github\.com\/acme\/infra\/actions\/runs\/123456\/artifacts\/987\) \(`plan\.json`, `plan\.txt`\)\./);
    // The footer links it too, for a comment that was not cut.
    expect(body).toContain(`[workflow run](${runUrl}) · [plan artifact](${artifactUrl})`);
  });

  it('to plan.json of the workflow run when it did not (a local run, act, upload off)', () => {
    const body = renderComment({ plan: hugePlan(), state: 'planned', runUrl }, 30_000);
    expect(body).toMatch(/The full plan is in the job summary and in `plan\.json` of the \[workflow run\]\(https:\/\/github\.com\/acme\/infra\/actions\/runs\/123456\)\./);
    expect(body).not.toContain('/artifacts/');
  });

  it('the drift issue and the job summary link the artifact the same way', () => {
    const issue = renderDriftIssue(hugePlan(), { runUrl, artifactUrl });
    expect(issue.length).toBeLessThanOrEqual(65_536);
    expect(issue).toMatch(/\(GitHub limits issues to 65,536 characters\)\. The full plan is in the \[plan artifact\]\([^)]+\/artifacts\/987\) \(`plan\.json`, `plan\.txt`\)\./);
    expect(renderJobSummary({ plan: hugePlan(), state: 'planned', runUrl, artifactUrl })).toMatch(/The full plan is in the \[plan artifact\]\([^)]+\/artifacts\/987\)/);
  });
});
