/**
 * The CodeBuild projects Charter creates and owns (PackagePublishing's build, publish and replicate
 * projects; BranchPipelines' projects from buildspec templates): the fields Charter writes and compares,
 * the CreateProject/UpdateProject input, and a live project reduced to the same fields. Pure, type-only use
 * of the SDK, so offline lint and plan diffs can import it without loading a client.
 */
import type { CreateProjectCommandInput, Project } from '@aws-sdk/client-codebuild';
import { hasTemplate } from '../core/templates.js';

export const DEFAULT_IMAGE = 'aws/codebuild/standard:7.0';

/** The fields of a project Charter compares and writes (a subset of CreateProject's input). */
export interface ProjectSpec {
  name: string;
  description: string;
  /** The rendered buildspec (YAML text). */
  buildspec: string;
  image: string;
  serviceRole: string;
  /** CODEPIPELINE for a project a pipeline runs (artifacts in and out through it), NO_SOURCE for one started alone. */
  sourceType: 'CODEPIPELINE' | 'NO_SOURCE';
}

/** The comparable view of a project (desired or live). */
export interface ProjectView {
  description: string;
  buildspec: string;
  image: string;
  serviceRole: string;
  sourceType: string;
}

export function projectView(p: ProjectSpec): ProjectView {
  return { description: p.description, buildspec: p.buildspec, image: p.image, serviceRole: p.serviceRole, sourceType: p.sourceType };
}

/** A live project (BatchGetProjects) reduced to the fields Charter writes. */
export function liveProjectView(p: Project): ProjectView {
  return {
    description: p.description ?? '',
    buildspec: p.source?.buildspec ?? '',
    image: p.environment?.image ?? '',
    serviceRole: p.serviceRole ?? '',
    sourceType: p.source?.type ?? '',
  };
}

export const projectTags = (p: Project): Record<string, string> => Object.fromEntries((p.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));

/** The fields in which a live project differs from the desired one, in view order. */
export function changedProjectFields(live: ProjectView, want: ProjectView): Array<keyof ProjectView> {
  return (Object.keys(want) as Array<keyof ProjectView>).filter((k) => live[k] !== want[k]);
}

/** CreateProject/UpdateProject input for a desired project (tags only on create). */
export function projectInput(p: ProjectSpec, tags?: Record<string, string>): CreateProjectCommandInput {
  const artifacts = p.sourceType === 'CODEPIPELINE' ? { type: 'CODEPIPELINE' as const } : { type: 'NO_ARTIFACTS' as const };
  return {
    name: p.name,
    description: p.description,
    source: { type: p.sourceType, buildspec: p.buildspec },
    artifacts,
    environment: { type: 'LINUX_CONTAINER' as const, image: p.image, computeType: 'BUILD_GENERAL1_SMALL' as const },
    serviceRole: p.serviceRole,
    ...(tags ? { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) } : {}),
  };
}

/**
 * What is wrong with a step that runs either an existing project or one Charter creates from a buildspec
 * template: both or neither given (`source`), and a template templates/ does not ship (`templateMissing`).
 */
export function stepSourceProblems(step: { project?: string; buildspec?: string }): { source?: 'both' | 'neither'; templateMissing: boolean } {
  const source = (step.project === undefined) === (step.buildspec === undefined) ? (step.project === undefined ? 'neither' : 'both') : undefined;
  return { ...(source ? { source } : {}), templateMissing: step.buildspec !== undefined && !hasTemplate(step.buildspec) };
}
