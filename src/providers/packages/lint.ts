/**
 * Offline rules for PackagePublishing policies (docs/diagnostics-packages.md lists every code). The schema
 * already checks the name patterns (domain, repository, region codes, pipeline name, role ARNs); these are
 * the rules that relate fields to each other or to the files Charter ships.
 */
import { sortDiagnostics, type Diagnostic, type Severity } from '../../core/diagnostics.js';
import { diagnosticAt, type PathSegment } from '../../core/document.js';
import type { LintContext } from '../../core/provider.js';
import { stepSourceProblems } from '../../aws/codebuild-project.js';
import {
  buildProjectName,
  CONNECTION_FORMAT,
  createsProjects,
  NAMESPACE_FORMATS,
  NAMESPACE_REQUIRED,
  packageLabel,
  PIPELINE_INCOMPLETE,
  PIPELINE_NAME_MAX,
  PIPELINE_REQUIRED,
  PROJECT_NAME_RE,
  PUBLISHABLE_FORMATS,
  publishActionName,
  publishProjectName,
  regionsOf,
  replicateProjectName,
  BUILD_REPLICATED_FORMATS,
  type Doc,
} from './model.js';

const RESERVED_TAG_PREFIXES = ['aws:', 'charter:'];
/** npm package names and scopes: lowercase, URL-safe, not starting with '.' or '_' (the npm registry's rules). */
const NPM_PART_RE = /^[a-z0-9-~][a-z0-9-._~]*$/;
const NPM_NAME_MAX = 214;

/** PEP 503 normalized form: runs of '-', '_' and '.' become one '-', lowercase. A loop, linear by construction. */
export function pep503(name: string): string {
  let out = '';
  let inRun = false;
  for (const ch of name) {
    if (ch === '-' || ch === '_' || ch === '.') {
      if (!inRun) out += '-';
      inRun = true;
    } else {
      out += ch.toLowerCase();
      inRun = false;
    }
  }
  return out;
}

type Add = (path: PathSegment[], code: string, severity: Severity, message: string, hint?: string) => void;

export async function lintPackagePublishing(docs: Doc[], _ctx: LintContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  // One repository per domain/repository/region across every policy.
  const repos = new Map<string, { doc: Doc; path: PathSegment[] }>();
  for (const doc of docs) {
    const add: Add = (path, code, severity, message, hint) => out.push(diagnosticAt(doc, path, code, severity, message, hint));
    const spec = doc.spec;
    lintRegions(doc, add);
    for (const [i, region] of regionsOf(spec).entries()) {
      const path: PathSegment[] = i === 0 ? ['spec', 'primaryRegion'] : ['spec', 'replicaRegions', i - 1];
      const key = `${region}/${spec.domain}/${spec.repository}`;
      const first = repos.get(key);
      if (first && first.doc !== doc) {
        const at = first.doc.position(first.path);
        add(path, 'packages/duplicate-repository', 'error', `Repository ${spec.domain}/${spec.repository} in ${region} is already managed by PackagePublishing policy "${first.doc.name}" (${at.file}:${at.line})`, 'Manage each repository from one policy.');
      } else if (!first) {
        repos.set(key, { doc, path });
      }
    }
    if (spec.externalConnection && CONNECTION_FORMAT[spec.externalConnection] !== spec.format) {
      add(['spec', 'externalConnection'], 'packages/connection-format-mismatch', 'error', `External connection ${spec.externalConnection} serves ${CONNECTION_FORMAT[spec.externalConnection]} packages, not ${spec.format}`, `Use the public connection of the ${spec.format} format${connectionFor(spec.format) ? ` (${connectionFor(spec.format)})` : ''}, or remove externalConnection.`);
    }
    lintPackages(doc, add);
    lintTags(doc, add);
    lintPipeline(doc, add);
    const replicate = replicateProjectName(spec);
    if (replicate !== undefined && !PROJECT_NAME_RE.test(replicate)) {
      add(['spec', 'repository'], 'packages/name-too-long', 'error', `CodeBuild project name ${replicate} is not valid (letters, digits, '-', '_', 2-150 characters)`, 'Use a shorter domain or repository name.');
    }
    if (createsProjects(spec) && !spec.codeBuildRoleArn) {
      add(['spec'], 'packages/codebuild-role-required', 'error', `Charter creates CodeBuild projects for this policy (${[spec.pipeline ? 'publish' : '', replicateProjectName(spec) ? 'replicate' : ''].filter(Boolean).join(' and ')}) and needs their service role`, 'Set spec.codeBuildRoleArn to a role CodeBuild can assume, with CodeArtifact publish rights in every region.');
    }
    if ((spec.packages ?? []).length && !PUBLISHABLE_FORMATS.has(spec.format)) {
      add(['spec', 'packages'], 'packages/format-not-replicable', 'error', `Charter has no replicate buildspec for the ${spec.format} format, so it cannot repair replica gaps of watched packages`, `Watch packages of the formats ${[...BUILD_REPLICATED_FORMATS, 'generic'].join(', ')}, or remove packages.`);
    }
  }
  return sortDiagnostics(out);
}

function connectionFor(format: string): string | undefined {
  return Object.entries(CONNECTION_FORMAT).find(([, f]) => f === format)?.[0];
}

function lintRegions(doc: Doc, add: Add): void {
  const seen = new Map<string, number>();
  doc.spec.replicaRegions.forEach((region, i) => {
    if (region === doc.spec.primaryRegion) {
      add(['spec', 'replicaRegions', i], 'packages/replica-is-primary', 'error', `${region} is the primary region; a replica must be in another region`, 'Remove it from replicaRegions.');
    } else if (seen.has(region)) {
      add(['spec', 'replicaRegions', i], 'packages/duplicate-replica-region', 'error', `${region} is listed twice in replicaRegions (first at index ${seen.get(region)})`, 'List each replica region once.');
    } else {
      seen.set(region, i);
    }
  });
}

function lintPackages(doc: Doc, add: Add): void {
  const { format } = doc.spec;
  const seen = new Map<string, number>();
  (doc.spec.packages ?? []).forEach((p, i) => {
    const path: PathSegment[] = ['spec', 'packages', i];
    const key = `${p.namespace ?? ''}/${p.name}`;
    if (seen.has(key)) add([...path, 'name'], 'packages/duplicate-package', 'error', `Package ${packageLabel(p, format)} is listed twice (first at index ${seen.get(key)})`, 'List each package once.');
    else seen.set(key, i);
    if (p.namespace !== undefined && !NAMESPACE_FORMATS.has(format)) {
      add([...path, 'namespace'], 'packages/namespace-not-supported', 'error', `${format} packages have no namespace`, 'Remove namespace.');
    }
    if (p.namespace === undefined && NAMESPACE_REQUIRED.has(format)) {
      add(path, 'packages/namespace-required', 'error', `A ${format} package needs a namespace (${format === 'maven' ? 'its group id' : 'CodeArtifact requires one'})`, 'Add namespace.');
    }
    if (format === 'pypi' && pep503(p.name) !== p.name) {
      add([...path, 'name'], 'packages/pypi-name-not-normalized', 'error', `"${p.name}" is not in PEP 503 normalized form; CodeArtifact lists it as "${pep503(p.name)}"`, `Write name: ${pep503(p.name)}`);
    }
    if (format === 'npm') {
      if (!NPM_PART_RE.test(p.name) || p.name.length + (p.namespace ? p.namespace.length + 2 : 0) > NPM_NAME_MAX) {
        add([...path, 'name'], 'packages/npm-name-invalid', 'error', `"${p.name}" is not a valid npm package name (lowercase letters, digits, '-', '.', '_', '~'; not starting with '.' or '_'; at most ${NPM_NAME_MAX} characters with the scope)`, 'Use the name as it appears in package.json, without the scope.');
      }
      if (p.namespace !== undefined && (p.namespace.startsWith('@') || !NPM_PART_RE.test(p.namespace))) {
        add([...path, 'namespace'], 'packages/npm-scope-invalid', 'error', `"${p.namespace}" is not a valid npm scope for CodeArtifact (lowercase, URL-safe, written without '@')`, p.namespace.startsWith('@') ? `Write namespace: ${p.namespace.slice(1)}` : 'Use the scope of package.json, lowercase, without "@".');
      }
    }
  });
}

function lintTags(doc: Doc, add: Add): void {
  for (const key of Object.keys(doc.spec.tags ?? {})) {
    const prefix = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
    if (prefix) add(['spec', 'tags', key], 'packages/reserved-tag-key', 'error', `Tag key "${key}" uses the reserved prefix ${prefix}`, prefix === 'aws:' ? 'AWS reserves the aws: prefix.' : 'Charter writes charter:policy itself to mark what it owns; use another prefix.');
  }
}

function lintPipeline(doc: Doc, add: Add): void {
  const spec = doc.spec;
  const p = spec.pipeline;
  if (!p) return;
  const base: PathSegment[] = ['spec', 'pipeline'];
  if (!PUBLISHABLE_FORMATS.has(spec.format)) {
    add([...base, 'name'], 'packages/format-not-publishable', 'error', `Charter has no publish buildspec for the ${spec.format} format`, `Publish ${[...PUBLISHABLE_FORMATS].join(', ')} packages through the pipeline, or remove pipeline.`);
  }
  const missing = PIPELINE_REQUIRED.filter((key) => p[key] === undefined);
  if (missing.length) {
    // The schema requires only the name, so that `charter import` can start from it; planning needs the rest.
    add([...base, 'name'], PIPELINE_INCOMPLETE, 'error', `The pipeline needs ${missing.join(', ')}`, `Write them, or run charter import on this file to fill them in from the live pipeline ${p.name}.`);
    return;
  }
  const build = p.build!;
  const { source, templateMissing } = stepSourceProblems(build);
  if (source) {
    add([...base, 'build'], 'packages/build-source', 'error', source === 'both' ? 'The build names both an existing project and a buildspec template' : 'The build names neither an existing project nor a buildspec template', 'Set exactly one of build.project (an existing CodeBuild project) or build.buildspec (a template under templates/).');
  }
  if (templateMissing) {
    add([...base, 'build', 'buildspec'], 'packages/buildspec-template-missing', 'error', `No buildspec template ${build.buildspec} in templates/`, 'Use one of the shipped templates (buildspec-build-pypi.yml.hbs, buildspec-build-generic.yml.hbs) or add the file under templates/ and run npm run gen:types.');
  }
  const regions = regionsOf(spec);
  regions.forEach((region, i) => {
    if (p.artifactBuckets![region] === undefined) {
      add([...base, 'artifactBuckets'], 'packages/artifact-bucket-missing', 'error', `The pipeline runs an action in ${region} and has no artifact bucket there`, `Add ${region}: <bucket in ${region}> to pipeline.artifactBuckets (cross-region actions need an artifact store per region).`);
    }
    const action = publishActionName(region);
    if (action.length > PIPELINE_NAME_MAX) add(i === 0 ? ['spec', 'primaryRegion'] : ['spec', 'replicaRegions', i - 1], 'packages/name-too-long', 'error', `Action name ${action} is longer than ${PIPELINE_NAME_MAX} characters`);
  });
  for (const region of Object.keys(p.artifactBuckets!)) {
    if (!regions.includes(region)) add([...base, 'artifactBuckets', region], 'packages/artifact-bucket-unused', 'warning', `The pipeline runs no action in ${region}; its artifact bucket is not used`, 'Remove it, or add the region to replicaRegions.');
  }
  for (const [name, path] of [
    [buildProjectName(spec), [...base, build.project ? 'build' : 'name']],
    [publishProjectName(spec), [...base, 'name']],
  ] as Array<[string | undefined, PathSegment[]]>) {
    if (name !== undefined && !PROJECT_NAME_RE.test(name)) {
      add(path, 'packages/name-too-long', 'error', `CodeBuild project name ${name} is not valid (letters, digits, '-', '_', 2-150 characters, starting with a letter or digit)`, 'Use a shorter pipeline or repository name.');
    }
  }
}
