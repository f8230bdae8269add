/**
 * The CodeBuild projects a BranchPipelines policy owns: a step given as a buildspec template (the build,
 * a test, the onDelete cleanup) instead of an existing project becomes a project Charter creates from the
 * template rendered from templates/, tags `charter:policy` and keeps in line with the policy. One project per
 * step serves every branch's pipeline (the pipeline sets BRANCH), in the region where the step runs.
 *
 * Names: `<namePrefix slug>-codebuild-<step>-<8 hex>` (CodeBuild allows letters, digits, `-` and `_`; the
 * hash of prefix and step keeps `a.b` and `a-b` apart). Plan lists the projects named with that prefix, so
 * a project of a step the policy no longer gives as a template is found and deleted (after the pipelines
 * stopped naming it); one without the policy's tag is never changed.
 *
 * Pure: names, desired projects and the plan from what was read.
 */
import { DEFAULT_IMAGE, changedProjectFields, projectView, type ProjectSpec, type ProjectView } from '../../aws/codebuild-project.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { compareStrings, type Json } from '../../core/json.js';
import type { Change } from '../../core/plan.js';
import { template } from '../../core/templates.js';
import { branchHash, branchSlug, OWNER_TAG, PHASE } from './names.js';
import type { BranchPipelinesSpec, Environment } from './spec.generated.js';

type Doc = PolicyDocument<BranchPipelinesSpec>;

export type ProjectStep = 'build' | 'test' | 'cleanup';

/** A project Charter creates for a policy: the shared project fields, where it lives and which step it runs. */
export interface BranchProject extends ProjectSpec {
  region: string;
  step: ProjectStep;
  /** Where the step is in the policy (for positions). */
  path: PathSegment[];
  /** The template file under templates/. */
  buildspecTemplate: string;
}

/** A project named with the policy's project prefix, as plan read it. */
export interface LiveProject {
  region: string;
  name: string;
  view: ProjectView;
  tags: Record<string, string>;
}

export function projectPrefix(namePrefix: string): string {
  return `${branchSlug(namePrefix, 60)}-codebuild-`;
}

const stepName = (namePrefix: string, label: string, key: string) => `${projectPrefix(namePrefix)}${branchSlug(label, 120)}-${branchHash(`${namePrefix}\0${key}`)}`;

export const buildProjectName = (namePrefix: string) => stepName(namePrefix, 'build', 'build');
export const cleanupProjectName = (namePrefix: string) => stepName(namePrefix, 'cleanup', 'cleanup');
export const testProjectName = (namePrefix: string, environment: string, test: string) => stepName(namePrefix, `test-${environment}-${test}`, `test\0${environment}\0${test}`);

/** The project the build runs: the policy's, or Charter's from the buildspec template. */
export function buildProject(spec: BranchPipelinesSpec): string {
  return spec.stages.build.project ?? buildProjectName(spec.namePrefix);
}

export function testProject(spec: BranchPipelinesSpec, env: Environment, index: number): string {
  const test = env.tests![index];
  return test.project ?? testProjectName(spec.namePrefix, env.name, test.name);
}

export function cleanupProject(spec: BranchPipelinesSpec): string | undefined {
  if (!spec.onDelete) return undefined;
  return spec.onDelete.project ?? cleanupProjectName(spec.namePrefix);
}

/** Whether any step is a buildspec template (and so Charter needs codeBuildRoleArn). */
export function createsProjects(spec: BranchPipelinesSpec): boolean {
  return desiredProjectSteps(spec).length > 0;
}

interface Step {
  step: ProjectStep;
  name: string;
  region: string;
  buildspec: string;
  image?: string;
  path: PathSegment[];
  description: string;
  view: Record<string, unknown>;
}

function desiredProjectSteps(spec: BranchPipelinesSpec): Step[] {
  const steps: Step[] = [];
  const base = { repository: spec.repository, namePrefix: spec.namePrefix, region: spec.region };
  const build = spec.stages.build;
  const envs = spec.stages.environments ?? [];
  if (build.buildspec && !build.project) {
    const templates = [...new Set(envs.filter((e) => e.deploy && e.deploy.enabled !== false).map((e) => e.deploy!.template ?? 'template.yml'))].sort(compareStrings);
    steps.push({ step: 'build', name: buildProjectName(spec.namePrefix), region: spec.region, buildspec: build.buildspec, image: build.image, path: ['spec', 'stages', 'build', 'buildspec'], description: `Builds ${spec.repository} for the ${spec.namePrefix} branch pipelines (Charter)`, view: { ...base, templates } });
  }
  envs.forEach((env, e) => {
    (env.tests ?? []).forEach((test, t) => {
      if (!test.buildspec || test.project) return;
      const region = env.region ?? spec.region;
      steps.push({
        step: 'test',
        name: testProjectName(spec.namePrefix, env.name, test.name),
        region,
        buildspec: test.buildspec,
        image: test.image,
        path: ['spec', 'stages', 'environments', e, 'tests', t, 'buildspec'],
        description: `Test ${test.name} of ${env.name} for the ${spec.namePrefix} branch pipelines (Charter)`,
        view: { ...base, region, environment: env.name, account: env.account, test: test.name },
      });
    });
  });
  const cleanup = spec.onDelete;
  if (cleanup?.buildspec && !cleanup.project) {
    steps.push({ step: 'cleanup', name: cleanupProjectName(spec.namePrefix), region: spec.region, buildspec: cleanup.buildspec, image: cleanup.image, path: ['spec', 'onDelete', 'buildspec'], description: `Cleans up after a deleted branch of ${spec.repository} before its pipeline goes (Charter)`, view: base });
  }
  return steps;
}

/** The projects Charter creates for a policy, rendered. Assumes a policy that passed lint (templates exist). */
export function desiredProjects(spec: BranchPipelinesSpec): BranchProject[] {
  return desiredProjectSteps(spec).map((s) => ({
    name: s.name,
    region: s.region,
    step: s.step,
    path: s.path,
    buildspecTemplate: s.buildspec,
    description: s.description,
    buildspec: template(s.buildspec)(s.view),
    image: s.image ?? DEFAULT_IMAGE,
    serviceRole: spec.codeBuildRoleArn ?? '',
    // The build and tests run inside the pipeline; the cleanup build is started alone (StartBuild).
    sourceType: s.step === 'cleanup' ? 'NO_SOURCE' : 'CODEPIPELINE',
  }));
}

/** Regions whose projects plan lists: the pipelines' and every environment's (a test project may live there). */
export function projectRegions(spec: BranchPipelinesSpec): string[] {
  return [...new Set([spec.region, ...(spec.stages.environments ?? []).map((e) => e.region ?? spec.region)])].sort(compareStrings);
}

const projectAddress = (doc: Doc, region: string, name: string) => `branches/${doc.name}/codebuild/${region}/${name}`;

/** The view reviewers read: the settings, then the buildspec one line each (the plan diffs them line by line). */
export function projectLines(v: ProjectView): string[] {
  return [`description: ${v.description}`, `image: ${v.image}`, `service role: ${v.serviceRole}`, `source: ${v.sourceType}`, ...v.buildspec.split('\n').map((l) => `buildspec | ${l}`)];
}

/** Changed buildspec lines, by position, for the reason line (the full diff is in before/after). */
function buildspecDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  let changed = 0;
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) changed++;
  return `buildspec (${changed} line(s) differ${x.length !== y.length ? `, ${x.length} → ${y.length} lines` : ''})`;
}

/** The projects' changes for one policy. `live` holds the projects named with its prefix in its regions. */
export function planProjects(doc: Doc, live: readonly LiveProject[]): { changes: Change[]; diagnostics: Diagnostic[] } {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const desired = desiredProjects(doc.spec);
  const key = (region: string, name: string) => `${region}/${name}`;
  const liveByKey = new Map(live.map((p) => [key(p.region, p.name), p]));
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.spec.tags ?? {})) if (v !== undefined) tags[k] = v;
  tags[OWNER_TAG] = doc.name;
  for (const want of desired) {
    const current = liveByKey.get(key(want.region, want.name));
    const title = `CodeBuild project ${want.name} (${want.region}, ${want.step} from ${want.buildspecTemplate})`;
    const wantView = projectView(want);
    const { path, buildspecTemplate: _template, step: _step, ...project } = want;
    if (!current) {
      changes.push(changeAt(doc, path, { address: projectAddress(doc, want.region, want.name), action: 'create', title, before: null, after: projectLines(wantView), risk: 'safe', reason: `The ${want.step} step is the buildspec template ${want.buildspecTemplate}: Charter creates and owns its project`, phase: PHASE.project, data: { op: 'project-create', region: want.region, project: project as unknown as Json, tags } }));
      continue;
    }
    if (current.tags[OWNER_TAG] !== doc.name) {
      diagnostics.push(diagnosticAt(doc, path, 'branches/project-taken', 'error', `The CodeBuild project ${want.name} in ${want.region} exists without the ${OWNER_TAG}=${doc.name} tag`, 'Charter never changes a project it does not own: delete or rename it, or name it under project instead of buildspec.'));
      continue;
    }
    const fields = changedProjectFields(current.view, wantView);
    const setTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (current.tags[k] !== v) setTags[k] = v;
    if (!fields.length && !Object.keys(setTags).length) continue;
    const lines = [
      ...fields.map((f) => (f === 'buildspec' ? buildspecDifference(current.view.buildspec, wantView.buildspec) : `${f} ${current.view[f] || '(unset)'} → ${wantView[f]}`)),
      ...Object.keys(setTags).sort(compareStrings).map((k) => `tag ${k}: ${current.tags[k] ?? '(unset)'} → ${setTags[k]}`),
    ];
    changes.push(
      changeAt(doc, path, {
        address: projectAddress(doc, want.region, want.name),
        action: 'update',
        title,
        before: projectLines(current.view),
        after: projectLines(wantView),
        risk: 'safe',
        reason: `${lines.length} difference(s): ${lines.join('; ')}`,
        phase: PHASE.project,
        // CodeBuild has no tag call for projects: UpdateProject writes the whole set (others' tags kept).
        data: { op: 'project-update', region: want.region, project: project as unknown as Json, tags: { ...current.tags, ...setTags } },
      }),
    );
  }
  const wanted = new Set(desired.map((p) => key(p.region, p.name)));
  for (const p of [...live].sort((a, b) => compareStrings(key(a.region, a.name), key(b.region, b.name)))) {
    if (wanted.has(key(p.region, p.name)) || p.tags[OWNER_TAG] !== doc.name) continue;
    changes.push(
      changeAt(doc, ['spec', 'stages'], {
        address: projectAddress(doc, p.region, p.name),
        action: 'delete',
        title: `CodeBuild project ${p.name} (${p.region})`,
        before: projectLines(p.view),
        after: null,
        risk: 'safe',
        reason: 'No step of the policy is a buildspec template for this project any more; it goes after the pipelines stopped naming it',
        phase: PHASE.projectDelete,
        data: { op: 'project-delete', region: p.region, name: p.name },
      }),
    );
  }
  return { changes, diagnostics };
}
