/**
 * Pure comparison of a live pipeline with the desired one, per stage and per action, in words a reviewer
 * reads ("stage Beta / action Deploy: StackName app-a → app-b"), never as a JSON blob. Only what Charter
 * writes is compared; fields CodePipeline adds (version, timestamps, execution mode, triggers) are not.
 */
import { compareStrings } from '../../core/json.js';
import type { Risk } from '../../core/plan.js';
import type { ActionDeclaration, ArtifactStore, PipelineDeclaration, StageDeclaration } from './desired.js';

type Loose = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const artifacts = (v: unknown): Array<{ name: string }> => (Array.isArray(v) ? v.map((a) => ({ name: String((a as Loose)?.name ?? '') })) : []);

function normalizeStore(v: unknown): ArtifactStore {
  const s = (v ?? {}) as Loose;
  const out: ArtifactStore = { type: 'S3', location: str(s.location) ?? '' };
  const key = s.encryptionKey as Loose | undefined;
  if (key && str(key.id)) out.encryptionKey = { id: String(key.id), type: 'KMS' };
  return out;
}

/**
 * A pipeline as GetPipeline returns it (the SDK's `pipeline` object, or the same JSON), reduced to the
 * fields Charter writes, with CodePipeline's defaults filled in (runOrder 1, no artifacts).
 */
export function normalizeLive(pipeline: unknown): PipelineDeclaration {
  const p = (pipeline ?? {}) as Loose;
  const stages: StageDeclaration[] = (Array.isArray(p.stages) ? p.stages : []).map((s: Loose) => ({
    name: str(s.name) ?? '',
    actions: (Array.isArray(s.actions) ? s.actions : []).map((a: Loose) => {
      const t = (a.actionTypeId ?? {}) as Loose;
      const action: ActionDeclaration = {
        name: str(a.name) ?? '',
        actionTypeId: { category: str(t.category) ?? '', owner: str(t.owner) ?? '', provider: str(t.provider) ?? '', version: str(t.version) ?? '' },
        runOrder: typeof a.runOrder === 'number' ? a.runOrder : 1,
        configuration: Object.fromEntries(Object.entries((a.configuration ?? {}) as Loose).map(([k, v]) => [k, String(v)])),
        inputArtifacts: artifacts(a.inputArtifacts),
        outputArtifacts: artifacts(a.outputArtifacts),
      };
      if (str(a.roleArn)) action.roleArn = String(a.roleArn);
      if (str(a.region)) action.region = String(a.region);
      return action;
    }),
  }));
  const out: PipelineDeclaration = { name: str(p.name) ?? '', roleArn: str(p.roleArn) ?? '', pipelineType: (str(p.pipelineType) ?? 'V1') as 'V2', stages };
  if (p.artifactStores && typeof p.artifactStores === 'object' && Object.keys(p.artifactStores).length) {
    out.artifactStores = Object.fromEntries(Object.entries(p.artifactStores as Loose).sort(([a], [b]) => compareStrings(a, b)).map(([r, s]) => [r, normalizeStore(s)]));
  } else if (p.artifactStore) {
    out.artifactStore = normalizeStore(p.artifactStore);
  }
  return out;
}

export interface PipelineDiff {
  /** One readable line per difference, in pipeline order. */
  lines: string[];
  /** disruptive when a stage or action goes away (a deployment or a test stops running), else safe. */
  risk: Risk;
}

const typeText = (a: ActionDeclaration) => `${a.actionTypeId.category}/${a.actionTypeId.owner}/${a.actionTypeId.provider}/v${a.actionTypeId.version}`;
const artifactText = (list: Array<{ name: string }>) => (list.length ? list.map((x) => x.name).join(', ') : 'none');
const storeText = (s: ArtifactStore | undefined) => (s ? `s3://${s.location}${s.encryptionKey ? ` (KMS ${s.encryptionKey.id})` : ' (default S3 key)'}` : 'none');
const quote = (v: string | undefined) => (v === undefined ? '(unset)' : v === '' ? '""' : v.length > 120 ? `${v.slice(0, 117)}...` : v);

function storesOf(d: PipelineDeclaration): Map<string, ArtifactStore> {
  if (d.artifactStores) return new Map(Object.entries(d.artifactStores));
  return new Map(d.artifactStore ? [['(pipeline region)', d.artifactStore]] : []);
}

function diffAction(where: string, live: ActionDeclaration, want: ActionDeclaration, lines: string[]): void {
  if (typeText(live) !== typeText(want)) lines.push(`${where}: action type ${typeText(live)} → ${typeText(want)}`);
  if (live.runOrder !== want.runOrder) lines.push(`${where}: runOrder ${live.runOrder} → ${want.runOrder}`);
  const keys = [...new Set([...Object.keys(live.configuration), ...Object.keys(want.configuration)])].sort(compareStrings);
  for (const key of keys) {
    const a = live.configuration[key];
    const b = want.configuration[key];
    if (a !== b) lines.push(`${where}: ${key} ${quote(a)} → ${quote(b)}`);
  }
  if (artifactText(live.inputArtifacts) !== artifactText(want.inputArtifacts)) lines.push(`${where}: input artifacts ${artifactText(live.inputArtifacts)} → ${artifactText(want.inputArtifacts)}`);
  if (artifactText(live.outputArtifacts) !== artifactText(want.outputArtifacts)) lines.push(`${where}: output artifacts ${artifactText(live.outputArtifacts)} → ${artifactText(want.outputArtifacts)}`);
  if ((live.roleArn ?? '') !== (want.roleArn ?? '')) lines.push(`${where}: role ${quote(live.roleArn)} → ${quote(want.roleArn)}`);
  if ((live.region ?? '') !== (want.region ?? '')) lines.push(`${where}: region ${live.region ?? '(pipeline region)'} → ${want.region ?? '(pipeline region)'}`);
}

/** Differences between the live and the desired pipeline; no lines when they match. */
export function diffPipeline(live: PipelineDeclaration, want: PipelineDeclaration): PipelineDiff {
  const lines: string[] = [];
  let risk: Risk = 'safe';
  if (live.pipelineType !== want.pipelineType) lines.push(`pipeline type ${live.pipelineType} → ${want.pipelineType}`);
  if (live.roleArn !== want.roleArn) lines.push(`pipeline role ${quote(live.roleArn)} → ${quote(want.roleArn)}`);
  const liveStores = storesOf(live);
  const wantStores = storesOf(want);
  for (const region of [...new Set([...liveStores.keys(), ...wantStores.keys()])].sort(compareStrings)) {
    const a = storeText(liveStores.get(region));
    const b = storeText(wantStores.get(region));
    if (a !== b) lines.push(`artifact store ${region}: ${a} → ${b}`);
  }

  const liveStages = new Map(live.stages.map((s) => [s.name, s]));
  const wantNames = new Set(want.stages.map((s) => s.name));
  const commonLive = live.stages.filter((s) => wantNames.has(s.name)).map((s) => s.name);
  const commonWant = want.stages.filter((s) => liveStages.has(s.name)).map((s) => s.name);
  if (commonLive.join('\n') !== commonWant.join('\n')) lines.push(`stage order ${commonLive.join(' → ')} becomes ${commonWant.join(' → ')}`);
  for (const stage of want.stages) {
    const current = liveStages.get(stage.name);
    if (!current) {
      lines.push(`stage ${stage.name}: added, with ${stage.actions.map((a) => a.name).join(', ')}`);
      continue;
    }
    const liveActions = new Map(current.actions.map((a) => [a.name, a]));
    const wantActions = new Set(stage.actions.map((a) => a.name));
    for (const action of stage.actions) {
      const where = `stage ${stage.name} / action ${action.name}`;
      const a = liveActions.get(action.name);
      if (!a) lines.push(`${where}: added`);
      else diffAction(where, a, action, lines);
    }
    for (const action of current.actions) {
      if (wantActions.has(action.name)) continue;
      lines.push(`stage ${stage.name} / action ${action.name}: removed`);
      risk = 'disruptive';
    }
  }
  for (const stage of live.stages) {
    if (wantNames.has(stage.name)) continue;
    lines.push(`stage ${stage.name}: removed, with ${stage.actions.map((a) => a.name).join(', ') || 'no actions'}`);
    risk = 'disruptive';
  }
  return { lines, risk: lines.length ? risk : 'safe' };
}
