/**
 * The plan as a workflow artifact: `plan.json` and the text plan, uploaded with @actions/artifact (the
 * Actions results service, reached with the runner's ACTIONS_RUNTIME_TOKEN), so the full plan can be
 * downloaded when the comment or the drift issue had to leave changes out. Outside a runner (a local run,
 * act) there is no results service: the upload is skipped with a notice and the links keep pointing at the
 * workflow run.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { Plan } from '../core/plan.js';
import { renderPlan } from '../core/render/index.js';

export const ARTIFACT_FILES = { json: 'plan.json', text: 'plan.txt' } as const;

export interface PlanArtifactOptions {
  /** Artifact name; undefined: the workflow turned the upload off. */
  name?: string;
  /** The runner's results service is reachable (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are set). */
  available: boolean;
  /** `<server>/<owner>/<repo>/actions/runs/<id>`: the artifact's page is below it. */
  runUrl?: string;
  /** Where the files are staged (the runner's temporary directory). */
  tempDir: string;
}

/**
 * Uploads `plan` and returns the artifact's URL, or undefined when it was not uploaded (then the reason is
 * in the log). A failed upload is a warning: the plan is still in the job summary and the plan file.
 */
export async function uploadPlanArtifact(plan: Plan, options: PlanArtifactOptions): Promise<string | undefined> {
  if (!options.name) return undefined;
  if (!options.available) {
    core.notice(
      'The plan was not uploaded as a workflow artifact: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set, as in a run outside GitHub Actions (locally, act). The plan is in plan-file and the job summary.',
    );
    return undefined;
  }
  const dir = await mkdtemp(join(options.tempDir, 'charter-artifact-'));
  const files = [join(dir, ARTIFACT_FILES.json), join(dir, ARTIFACT_FILES.text)];
  await writeFile(files[0], `${JSON.stringify(plan, null, 2)}\n`);
  await writeFile(files[1], renderPlan(plan, 'text'));
  try {
    // Loaded only here: the artifact client (Azure Blob Storage, zip) stays out of runs that do not upload.
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const { id } = await new DefaultArtifactClient().uploadArtifact(options.name, files, dir);
    if (id === undefined) {
      core.warning('The plan artifact was uploaded but the results service returned no artifact id: the comment links the workflow run instead.');
      return undefined;
    }
    const url = options.runUrl ? `${options.runUrl}/artifacts/${id}` : undefined;
    core.info(`Uploaded the plan as artifact ${JSON.stringify(options.name)} (id ${id})${url ? `: ${url}` : ''}`);
    return url;
  } catch (error) {
    core.warning(
      `The plan was not uploaded as a workflow artifact: ${(error as Error).message ?? String(error)}. The plan is in plan-file and the job summary. (Artifact names are unique per workflow run: give each Charter step its own plan-artifact.)`,
    );
    return undefined;
  }
}
