import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import {
  XMLParser
} from "./chunk-6UMGKAM6.js";
import "./chunk-RNBBLV4Z.js";

// src/sandbox/index.ts
import { access } from "node:fs/promises";

// src/sandbox/errors.ts
var SandboxError = class extends Error {
  code;
  status;
  /** Extra fields some services put in the error body (S3: Key, BucketName). */
  fields;
  constructor(status, code, message, fields = {}) {
    super(message);
    this.name = "SandboxError";
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
};
var SandboxStateError = class extends Error {
  problems;
  constructor(source, problems) {
    super(
      `Invalid sandbox state${source ? ` in ${source}` : ""}:
` + problems.map((p) => `  - ${p}`).join("\n")
    );
    this.name = "SandboxStateError";
    this.problems = problems;
  }
};

// src/sandbox/faults.ts
function checkCount(name, n, min) {
  if (!Number.isInteger(n) || n < min) throw new TypeError(`${name} must be an integer \u2265 ${min}, got ${String(n)}`);
}
var Faults = class {
  throttles = [];
  writeFailures = [];
  latencyMs = 0;
  throttle(service, operation, count) {
    checkCount("count", count, 0);
    if (count > 0) this.throttles.push({ service, operation, remaining: count });
  }
  failNthWrite(service, n, error) {
    checkCount("n", n, 1);
    this.writeFailures.push(error ? { service, remaining: n, error: { ...error } } : { service, remaining: n });
  }
  latency(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`latency must be a number \u2265 0, got ${String(ms)}`);
    this.latencyMs = ms;
  }
  reset() {
    this.throttles = [];
    this.writeFailures = [];
    this.latencyMs = 0;
  }
  get delayMs() {
    return this.latencyMs;
  }
  /** Consume one throttle matching this call; true when the call must be throttled. */
  takeThrottle(service, operation) {
    const t = this.throttles.find((x) => x.service === service && (x.operation === "*" || x.operation === operation));
    if (!t) return false;
    t.remaining--;
    if (t.remaining <= 0) this.throttles = this.throttles.filter((x) => x !== t);
    return true;
  }
  /**
   * Count one mutating call for `service`. Returns the failure to inject (`null` = use the
   * service default) when a failNthWrite countdown reaches this call, otherwise undefined.
   */
  takeWriteFailure(service) {
    let hit;
    for (const f of this.writeFailures) {
      if (f.service !== service) continue;
      f.remaining--;
      if (f.remaining === 0 && !hit) hit = f;
    }
    this.writeFailures = this.writeFailures.filter((f) => f.remaining > 0);
    if (!hit) return void 0;
    return hit.error ?? null;
  }
  snapshot() {
    return {
      latencyMs: this.latencyMs,
      throttles: this.throttles.map((t) => ({ ...t })),
      writeFailures: this.writeFailures.map((f) => ({
        service: f.service,
        writesUntilFailure: f.remaining,
        ...f.error ? { error: { ...f.error } } : {}
      }))
    };
  }
  /** Apply a control-plane request (validated); throws TypeError with a readable message. */
  apply(body) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new TypeError("expected a JSON object");
    const req = body;
    for (const key of Object.keys(req)) {
      if (!["reset", "latency", "throttle", "failNthWrite"].includes(key)) {
        throw new TypeError(`unknown field ${JSON.stringify(key)} (expected reset, latency, throttle, failNthWrite)`);
      }
    }
    if (req.reset === true) this.reset();
    if (req.latency !== void 0) this.latency(Number(req.latency));
    for (const t of asList(req.throttle, "throttle")) {
      this.throttle(str(t.service, "throttle[].service"), t.operation === void 0 ? "*" : str(t.operation, "throttle[].operation"), Number(t.count));
    }
    for (const f of asList(req.failNthWrite, "failNthWrite")) {
      let error;
      if (f.error !== void 0) {
        const e = f.error;
        error = { code: str(e.code, "error.code"), message: str(e.message, "error.message") };
        if (e.status !== void 0) error.status = Number(e.status);
      }
      this.failNthWrite(str(f.service, "failNthWrite[].service"), Number(f.n), error);
    }
  }
};
function asList(v, name) {
  if (v === void 0) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const item of list) {
    if (typeof item !== "object" || item === null) throw new TypeError(`${name}: expected objects`);
  }
  return list;
}
function str(v, name) {
  if (typeof v !== "string" || v === "") throw new TypeError(`${name} must be a non-empty string`);
  return v;
}

// src/sandbox/server.ts
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

// src/sandbox/dns.ts
import { isIPv4, isIPv6 } from "node:net";
function decodeNameEscapes(input) {
  return input.replace(
    /\\([0-7]{3}|.)/g,
    (_m, esc) => esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc
  );
}
function canonicalName(input) {
  let name = decodeNameEscapes(input.trim()).toLowerCase();
  if (name === "" || name === ".") return ".";
  if (!name.endsWith(".")) name += ".";
  return name;
}
function formatName(canonical) {
  let out = "";
  for (const ch of canonical) {
    if (/[a-z0-9\-_.]/.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0) ?? 0;
      out += code < 256 ? "\\" + code.toString(8).padStart(3, "0") : ch;
    }
  }
  return out;
}
function nameLabels(canonical) {
  const trimmed = canonical.endsWith(".") ? canonical.slice(0, -1) : canonical;
  return trimmed === "" ? [] : trimmed.split(".");
}
function compareNames(a, b) {
  const la = nameLabels(a).reverse();
  const lb = nameLabels(b).reverse();
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1;
  }
  return la.length - lb.length;
}
function isWithinZone(name, zone) {
  return name === zone || name.endsWith("." + zone);
}
function nameProblem(canonical) {
  const labels = nameLabels(canonical);
  for (const label of labels) {
    if (label.length === 0) {
      return { code: "DomainLabelEmpty", description: "Domain label is empty", value: canonical };
    }
    if (Buffer.byteLength(label, "utf8") > 63) {
      return { code: "DomainLabelTooLong", description: "Domain label is too long", value: label };
    }
  }
  const textual = canonical.endsWith(".") ? canonical.slice(0, -1) : canonical;
  if (Buffer.byteLength(textual, "utf8") > 253) {
    return { code: "DomainNameTooLong", description: "Domain name is too long", value: canonical };
  }
  return void 0;
}
function parseTxtValue(value) {
  const strings = [];
  let i = 0;
  const n = value.length;
  const skipSpace = () => {
    while (i < n && (value[i] === " " || value[i] === "	")) i++;
  };
  skipSpace();
  if (i >= n) return { ok: false, code: "InvalidCharacterString", description: "Value should be enclosed in quotation marks" };
  while (i < n) {
    if (value[i] !== '"') {
      return { ok: false, code: "InvalidCharacterString", description: "Value should be enclosed in quotation marks" };
    }
    i++;
    const bytes = [];
    let closed = false;
    while (i < n) {
      const ch = value[i];
      if (ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (ch === "\\") {
        const oct = /^[0-7]{3}/.exec(value.slice(i + 1, i + 4));
        if (oct) {
          bytes.push(parseInt(oct[0], 8) & 255);
          i += 4;
          continue;
        }
        if (i + 1 >= n) break;
        const next = value.charCodeAt(i + 1);
        if (next < 32 || next > 126) {
          return { ok: false, code: "InvalidCharacterString", description: "Value contains invalid characters" };
        }
        bytes.push(next);
        i += 2;
        continue;
      }
      const code = value.charCodeAt(i);
      if (code < 32 || code > 126) {
        return { ok: false, code: "InvalidCharacterString", description: "Value contains invalid characters" };
      }
      bytes.push(code);
      i++;
    }
    if (!closed) {
      return { ok: false, code: "InvalidCharacterString", description: "Value should be enclosed in quotation marks" };
    }
    if (bytes.length > 255) {
      return { ok: false, code: "CharacterStringTooLong", description: "Value is too long" };
    }
    strings.push(Buffer.from(bytes).toString("latin1"));
    skipSpace();
  }
  return { ok: true, strings };
}
function encodeTxtValue(raw) {
  const bytes = Buffer.from(raw, "utf8");
  const chunks = [];
  for (let start = 0; start < bytes.length || start === 0 && chunks.length === 0; start += 255) {
    const part = bytes.subarray(start, start + 255);
    let text2 = "";
    for (const b of part) {
      if (b === 34) text2 += '\\"';
      else if (b === 92) text2 += "\\\\";
      else if (b < 32 || b > 126) text2 += "\\" + b.toString(8).padStart(3, "0");
      else text2 += String.fromCharCode(b);
    }
    chunks.push(`"${text2}"`);
    if (bytes.length === 0) break;
  }
  return chunks.join(" ");
}
var RECORD_TYPES = /* @__PURE__ */ new Set([
  "A",
  "AAAA",
  "CAA",
  "CNAME",
  "DS",
  "HTTPS",
  "MX",
  "NAPTR",
  "NS",
  "PTR",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "SVCB",
  "TLSA",
  "TXT"
]);
function hostnameProblem(value) {
  if (/\s/.test(value.trim())) return { code: "RRDATANotSingleField", description: "Value contains spaces" };
  const p = nameProblem(canonicalName(value));
  return p ? { code: p.code, description: p.description } : void 0;
}
function recordValueProblem(type, value) {
  if (value.length === 0) return { code: "RRDATAEmpty", description: "Value is empty" };
  if (value.length > 4e3) return { code: "RRDATATooLong", description: "Value is longer than 4000 characters" };
  switch (type) {
    case "A":
      return isIPv4(value) ? void 0 : { code: "ARRDATAIllegalIPv4Address", description: "Value is not a valid IPv4 address" };
    case "AAAA":
      return isIPv6(value) ? void 0 : { code: "AAAARRDATAIllegalIPv6Address", description: "Value is not a valid IPv6 address" };
    case "CNAME":
    case "NS":
    case "PTR":
      return hostnameProblem(value);
    case "MX": {
      const m = /^\s*(\d{1,5})\s+(\S+)\s*$/.exec(value);
      if (!m || Number(m[1]) > 65535) {
        return { code: "MXRRDATAIncorrectFormat", description: 'Value must be "<priority 0-65535> <mail server>"' };
      }
      return hostnameProblem(m[2]);
    }
    case "TXT":
    case "SPF": {
      const r = parseTxtValue(value);
      return r.ok ? void 0 : { code: r.code, description: r.description };
    }
    case "SOA":
      return value.trim().split(/\s+/).length === 7 ? void 0 : { code: "SOARRDATAIncorrectFormat", description: "Value must have 7 fields" };
    case "SRV":
      return /^\s*\d+\s+\d+\s+\d+\s+\S+\s*$/.test(value) ? void 0 : { code: "SRVRRDATAIncorrectFormat", description: 'Value must be "<priority> <weight> <port> <target>"' };
    case "CAA":
      return /^\s*\d{1,3}\s+[A-Za-z0-9]+\s+".*"\s*$/.test(value) ? void 0 : { code: "CAARRDATAIncorrectFormat", description: 'Value must be "<flags> <tag> \\"<value>\\""' };
    default:
      return void 0;
  }
}
function describeValueProblem(p, value) {
  return `Invalid Resource Record: 'FATAL problem: ${p.code} (${p.description}) encountered with '${value}''`;
}

// src/sandbox/ids.ts
import { createHash } from "node:crypto";
var ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
function digest(...parts) {
  return createHash("sha256").update(parts.join("\0")).digest();
}
function alnumId(length, ...parts) {
  let out = "";
  let round = 0;
  while (out.length < length) {
    const bytes = digest(...parts, String(round++));
    for (const b of bytes) {
      if (out.length >= length) break;
      out += ALNUM[b % ALNUM.length];
    }
  }
  return out;
}
function hexId(length, ...parts) {
  let out = "";
  let round = 0;
  while (out.length < length) out += digest(...parts, String(round++)).toString("hex");
  return out.slice(0, length);
}
function uuidFrom(...parts) {
  const h = hexId(32, ...parts).split("");
  h[12] = "4";
  h[16] = "89ab"[parseInt(h[16], 16) % 4];
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

// src/sandbox/state.ts
import { createHash as createHash2 } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
var DEFAULT_ACCOUNT_ID = "123456789012";
function defaultSettings() {
  return {
    route53: { changeInsyncAfterPolls: 1, changeInsyncAfterMs: null },
    acm: { validationRecordAfterDescribes: 1 },
    cloudfront: { invalidationCompleteAfterPolls: 1 }
  };
}
function emptyState() {
  return {
    version: 1,
    accountId: DEFAULT_ACCOUNT_ID,
    settings: defaultSettings(),
    route53: { hostedZones: [], changes: [] },
    acm: { certificates: [] },
    s3: { buckets: {} },
    cloudfront: { distributions: [] },
    counters: {}
  };
}
function nextCounter(state, kind) {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return n;
}
function md5Etag(bytes) {
  return `"${createHash2("md5").update(bytes).digest("hex")}"`;
}
function defaultNameServers(zoneId) {
  const n = parseInt(hexId(4, "ns", zoneId), 16);
  const a = n % 512;
  return [
    `ns-${a}.awsdns-${String(a % 64).padStart(2, "0")}.com.`,
    `ns-${a + 512}.awsdns-${String((a + 1) % 64).padStart(2, "0")}.net.`,
    `ns-${a + 1024}.awsdns-${String((a + 2) % 64).padStart(2, "0")}.org.`,
    `ns-${a + 1536}.awsdns-${String((a + 3) % 64).padStart(2, "0")}.co.uk.`
  ];
}
function zoneIdFor(seed) {
  return "Z" + alnumId(20, "zone", seed);
}
function sortRecords(records) {
  records.sort(
    (a, b) => compareNames(a.name, b.name) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || (a.setIdentifier ?? "").localeCompare(b.setIdentifier ?? "")
  );
}
function cnameConflicts(records, zoneName) {
  const byName = /* @__PURE__ */ new Map();
  for (const r of records) {
    const set = byName.get(r.name) ?? /* @__PURE__ */ new Set();
    set.add(r.type);
    byName.set(r.name, set);
  }
  const problems = [];
  for (const [name, types] of byName) {
    if (types.has("CNAME") && types.size > 1) {
      const others = [...types].filter((t) => t !== "CNAME").sort();
      problems.push(
        `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records (${others.join(", ")}) with the same DNS name in zone ${zoneName}`
      );
    }
  }
  return problems;
}
var Checker = class {
  problems = [];
  fail(path, message) {
    this.problems.push(path ? `${path}: ${message}` : message);
  }
  object(value, path) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
    this.fail(path, `expected an object, got ${describe(value)}`);
    return void 0;
  }
  known(obj, allowed, path) {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(path ? `${path}.${key}` : key, `unknown field (expected one of: ${allowed.join(", ")})`);
      }
    }
  }
  string(obj, key, path, required = false) {
    const v = obj[key];
    if (v === void 0 || v === null) {
      if (required) this.fail(join(path, key), "is required");
      return void 0;
    }
    if (typeof v !== "string") {
      this.fail(join(path, key), `expected a string, got ${describe(v)}`);
      return void 0;
    }
    return v;
  }
  integer(obj, key, path, min, max) {
    const v = obj[key];
    if (v === void 0 || v === null) return void 0;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(join(path, key), `expected an integer from ${min} to ${max}, got ${describe(v)}`);
      return void 0;
    }
    return v;
  }
  boolean(obj, key, path) {
    const v = obj[key];
    if (v === void 0 || v === null) return void 0;
    if (typeof v !== "boolean") {
      this.fail(join(path, key), `expected true or false, got ${describe(v)}`);
      return void 0;
    }
    return v;
  }
  array(obj, key, path) {
    const v = obj[key];
    if (v === void 0 || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(join(path, key), `expected a list, got ${describe(v)}`);
      return [];
    }
    return v;
  }
  stringList(obj, key, path) {
    const v = obj[key];
    if (v === void 0 || v === null) return void 0;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.fail(join(path, key), `expected a list of strings, got ${describe(v)}`);
      return void 0;
    }
    return v;
  }
  stringMap(obj, key, path) {
    const v = obj[key];
    if (v === void 0 || v === null) return void 0;
    const o = this.object(v, join(path, key));
    if (!o) return void 0;
    const out = {};
    for (const [k, val] of Object.entries(o)) {
      if (typeof val !== "string") this.fail(join(join(path, key), k), `expected a string, got ${describe(val)}`);
      else out[k] = val;
    }
    return out;
  }
  timestamp(obj, key, path) {
    const v = this.string(obj, key, path);
    if (v === void 0) return void 0;
    const t = Date.parse(v);
    if (Number.isNaN(t)) {
      this.fail(join(path, key), `expected an ISO 8601 date-time, got ${JSON.stringify(v)}`);
      return void 0;
    }
    return new Date(t).toISOString();
  }
};
function join(path, key) {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  return `${typeof v} ${String(v)}`;
}
var TOP_KEYS = ["$schema", "version", "accountId", "settings", "route53", "acm", "s3", "cloudfront", "counters"];
function normalizeState(input, source = "", now = /* @__PURE__ */ new Date()) {
  const c = new Checker();
  const root = c.object(input, "");
  if (!root) throw new SandboxStateError(source, c.problems);
  c.known(root, TOP_KEYS, "");
  const state = emptyState();
  if (root.version !== void 0 && root.version !== 1) c.fail("version", `unsupported version ${describe(root.version)} (expected 1)`);
  const accountId = c.string(root, "accountId", "");
  if (accountId !== void 0) {
    if (!/^\d{12}$/.test(accountId)) c.fail("accountId", `expected 12 digits, got ${JSON.stringify(accountId)}`);
    else state.accountId = accountId;
  }
  if (root.counters !== void 0) {
    const counters = c.object(root.counters, "counters");
    for (const [k, v] of Object.entries(counters ?? {})) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) c.fail(`counters.${k}`, `expected a non-negative integer, got ${describe(v)}`);
      else state.counters[k] = v;
    }
  }
  if (root.settings !== void 0) normalizeSettings(c, root.settings, state.settings);
  const iso = now.toISOString();
  if (root.route53 !== void 0) normalizeRoute53(c, root.route53, state, iso);
  if (root.acm !== void 0) normalizeAcm(c, root.acm, state, iso);
  if (root.s3 !== void 0) normalizeS3(c, root.s3, state, iso);
  if (root.cloudfront !== void 0) normalizeCloudFront(c, root.cloudfront, state, iso);
  if (c.problems.length > 0) throw new SandboxStateError(source, c.problems);
  return state;
}
function normalizeSettings(c, value, out) {
  const s = c.object(value, "settings");
  if (!s) return;
  c.known(s, ["route53", "acm", "cloudfront"], "settings");
  if (s.route53 !== void 0) {
    const r = c.object(s.route53, "settings.route53");
    if (r) {
      c.known(r, ["changeInsyncAfterPolls", "changeInsyncAfterMs"], "settings.route53");
      out.route53.changeInsyncAfterPolls = c.integer(r, "changeInsyncAfterPolls", "settings.route53", 0, 1e6) ?? out.route53.changeInsyncAfterPolls;
      if (r.changeInsyncAfterMs !== null) {
        out.route53.changeInsyncAfterMs = c.integer(r, "changeInsyncAfterMs", "settings.route53", 0, 864e5) ?? out.route53.changeInsyncAfterMs;
      }
    }
  }
  if (s.acm !== void 0) {
    const a = c.object(s.acm, "settings.acm");
    if (a) {
      c.known(a, ["validationRecordAfterDescribes"], "settings.acm");
      out.acm.validationRecordAfterDescribes = c.integer(a, "validationRecordAfterDescribes", "settings.acm", 0, 1e6) ?? out.acm.validationRecordAfterDescribes;
    }
  }
  if (s.cloudfront !== void 0) {
    const f = c.object(s.cloudfront, "settings.cloudfront");
    if (f) {
      c.known(f, ["invalidationCompleteAfterPolls"], "settings.cloudfront");
      out.cloudfront.invalidationCompleteAfterPolls = c.integer(f, "invalidationCompleteAfterPolls", "settings.cloudfront", 0, 1e6) ?? out.cloudfront.invalidationCompleteAfterPolls;
    }
  }
}
var ZONE_KEYS = ["id", "name", "private", "comment", "callerReference", "nameServers", "records"];
var RECORD_KEYS = ["name", "type", "ttl", "values", "txt", "alias", "setIdentifier", "weight", "region", "failover", "multiValueAnswer", "healthCheckId"];
function normalizeRoute53(c, value, state, iso) {
  const r = c.object(value, "route53");
  if (!r) return;
  c.known(r, ["hostedZones", "changes"], "route53");
  const ids = /* @__PURE__ */ new Set();
  c.array(r, "hostedZones", "route53").forEach((z, i) => {
    const zone = normalizeZone(c, z, `route53.hostedZones[${i}]`);
    if (!zone) return;
    if (ids.has(zone.id)) c.fail(`route53.hostedZones[${i}].id`, `duplicate hosted zone id ${zone.id}`);
    ids.add(zone.id);
    state.route53.hostedZones.push(zone);
  });
  c.array(r, "changes", "route53").forEach((v, i) => {
    const path = `route53.changes[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ["id", "hostedZoneId", "status", "submittedAt", "comment", "pollsRemaining"], path);
    const id = c.string(o, "id", path, true);
    const hostedZoneId = c.string(o, "hostedZoneId", path, true);
    const status = c.string(o, "status", path) ?? "INSYNC";
    if (status !== "PENDING" && status !== "INSYNC") c.fail(join(path, "status"), `expected PENDING or INSYNC, got ${JSON.stringify(status)}`);
    if (id === void 0 || hostedZoneId === void 0) return;
    state.route53.changes.push({
      id: id.replace(/^\/change\//, ""),
      hostedZoneId: hostedZoneId.replace(/^\/hostedzone\//, ""),
      status: status === "PENDING" ? "PENDING" : "INSYNC",
      submittedAt: c.timestamp(o, "submittedAt", path) ?? iso,
      ...optional("comment", c.string(o, "comment", path)),
      pollsRemaining: c.integer(o, "pollsRemaining", path, 0, 1e6) ?? 0
    });
  });
}
function optional(key, value) {
  return value === void 0 ? {} : { [key]: value };
}
function normalizeZone(c, value, path) {
  const z = c.object(value, path);
  if (!z) return void 0;
  c.known(z, ZONE_KEYS, path);
  const rawName = c.string(z, "name", path, true);
  if (rawName === void 0) return void 0;
  const name = canonicalName(rawName);
  const np = nameProblem(name);
  if (np || name === ".") {
    c.fail(join(path, "name"), `invalid zone name ${JSON.stringify(rawName)}${np ? ` (${np.description})` : ""}`);
    return void 0;
  }
  const rawId = c.string(z, "id", path);
  const id = rawId !== void 0 ? rawId.replace(/^\/hostedzone\//, "") : zoneIdFor(name);
  if (!/^[A-Z0-9]{1,32}$/.test(id)) c.fail(join(path, "id"), `expected upper-case letters and digits (e.g. Z0EXAMPLE1), got ${JSON.stringify(rawId)}`);
  const isPrivate = c.boolean(z, "private", path) ?? false;
  const nameServers = (c.stringList(z, "nameServers", path) ?? defaultNameServers(id)).map(canonicalName);
  const zone = {
    id,
    name,
    private: isPrivate,
    ...optional("comment", c.string(z, "comment", path)),
    callerReference: c.string(z, "callerReference", path) ?? `sandbox-${id}`,
    nameServers,
    records: []
  };
  const seen = /* @__PURE__ */ new Set();
  c.array(z, "records", path).forEach((rv, i) => {
    const rpath = `${path}.records[${i}]`;
    const rec = normalizeRecord(c, rv, rpath, zone);
    if (!rec) return;
    const key = `${rec.name}|${rec.type}|${rec.setIdentifier ?? ""}`;
    if (seen.has(key)) {
      c.fail(rpath, `duplicate record set ${rec.name} ${rec.type}${rec.setIdentifier ? ` (${rec.setIdentifier})` : ""}: put all values of one name and type in one "values" list`);
      return;
    }
    seen.add(key);
    zone.records.push(rec);
  });
  if (!zone.records.some((r) => r.name === name && r.type === "SOA")) {
    zone.records.push({
      name,
      type: "SOA",
      ttl: 900,
      values: [`${nameServers[0] ?? "ns-1.awsdns-01.com."} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`]
    });
  }
  if (!zone.records.some((r) => r.name === name && r.type === "NS")) {
    zone.records.push({ name, type: "NS", ttl: 172800, values: [...nameServers] });
  }
  for (const p of cnameConflicts(zone.records, name)) c.fail(`${path}.records`, p);
  sortRecords(zone.records);
  return zone;
}
function normalizeRecord(c, value, path, zone) {
  const o = c.object(value, path);
  if (!o) return void 0;
  c.known(o, RECORD_KEYS, path);
  const rawName = c.string(o, "name", path, true);
  const rawType = c.string(o, "type", path, true);
  if (rawName === void 0 || rawType === void 0) return void 0;
  const name = rawName.trim() === "@" ? zone.name : canonicalName(rawName);
  if (!isWithinZone(name, zone.name)) {
    c.fail(join(path, "name"), `${JSON.stringify(rawName)} is not within zone ${zone.name} (write the full name, e.g. "www.${zone.name.slice(0, -1)}", or "@" for the apex)`);
    return void 0;
  }
  const np = nameProblem(name);
  if (np) {
    c.fail(join(path, "name"), `${np.description}: ${JSON.stringify(np.value)}`);
    return void 0;
  }
  const type = rawType.toUpperCase();
  if (!RECORD_TYPES.has(type)) {
    c.fail(join(path, "type"), `unknown record type ${JSON.stringify(rawType)} (expected one of ${[...RECORD_TYPES].join(", ")})`);
    return void 0;
  }
  let values = c.stringList(o, "values", path);
  const txt = c.stringList(o, "txt", path);
  if (txt !== void 0) {
    if (type !== "TXT" && type !== "SPF") c.fail(join(path, "txt"), `"txt" is only for TXT/SPF records; use "values"`);
    else if (values !== void 0) c.fail(path, 'give either "values" (Route 53 wire format) or "txt" (raw strings), not both');
    else values = txt.map(encodeTxtValue);
  }
  let alias;
  if (o.alias !== void 0) {
    const a = c.object(o.alias, join(path, "alias"));
    if (a) {
      c.known(a, ["hostedZoneId", "dnsName", "evaluateTargetHealth"], join(path, "alias"));
      const hz = c.string(a, "hostedZoneId", join(path, "alias"), true);
      const dns = c.string(a, "dnsName", join(path, "alias"), true);
      if (hz !== void 0 && dns !== void 0) {
        alias = { hostedZoneId: hz.replace(/^\/hostedzone\//, ""), dnsName: canonicalName(dns), evaluateTargetHealth: c.boolean(a, "evaluateTargetHealth", join(path, "alias")) ?? false };
      }
    }
  }
  if (alias && values !== void 0) c.fail(path, 'an alias record has no "values"');
  if (!alias && (values === void 0 || values.length === 0)) {
    c.fail(path, 'a record needs a non-empty "values" list (or "txt" for TXT records, or "alias")');
    return void 0;
  }
  for (const [i, v] of (values ?? []).entries()) {
    const p = recordValueProblem(type, v);
    if (p) {
      const hint = type === "TXT" || type === "SPF" ? ` (TXT values are in Route 53 wire format, e.g. "\\"v=DMARC1; p=reject\\"", or use "txt": ["v=DMARC1; p=reject"])` : "";
      c.fail(`${path}.values[${i}]`, describeValueProblem(p, v) + hint);
    }
  }
  if (type === "CNAME" && values && values.length > 1) c.fail(join(path, "values"), "a CNAME record has exactly one value");
  const ttl = c.integer(o, "ttl", path, 0, 2147483647);
  const rec = { name, type };
  if (!alias) rec.ttl = ttl ?? 300;
  if (values !== void 0) rec.values = values;
  if (alias) rec.alias = alias;
  const setIdentifier = c.string(o, "setIdentifier", path);
  if (setIdentifier !== void 0) rec.setIdentifier = setIdentifier;
  const weight = c.integer(o, "weight", path, 0, 255);
  if (weight !== void 0) rec.weight = weight;
  const region = c.string(o, "region", path);
  if (region !== void 0) rec.region = region;
  const failover = c.string(o, "failover", path);
  if (failover !== void 0) rec.failover = failover;
  const mva = c.boolean(o, "multiValueAnswer", path);
  if (mva !== void 0) rec.multiValueAnswer = mva;
  const hc = c.string(o, "healthCheckId", path);
  if (hc !== void 0) rec.healthCheckId = hc;
  return rec;
}
var CERT_KEYS = [
  "arn",
  "region",
  "domainName",
  "subjectAlternativeNames",
  "status",
  "validationMethod",
  "type",
  "keyAlgorithm",
  "createdAt",
  "issuedAt",
  "notBefore",
  "notAfter",
  "serial",
  "tags",
  "idempotencyToken",
  "describeCount"
];
var CERT_STATUSES = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"];
var ACM_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;
var DAY_MS = 864e5;
function certificateArn(region, accountId, seed) {
  return `arn:aws:acm:${region}:${accountId}:certificate/${uuidFrom("certificate", seed)}`;
}
function normalizeAcm(c, value, state, iso) {
  const a = c.object(value, "acm");
  if (!a) return;
  c.known(a, ["certificates"], "acm");
  const arns = /* @__PURE__ */ new Set();
  c.array(a, "certificates", "acm").forEach((v, i) => {
    const path = `acm.certificates[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, CERT_KEYS, path);
    const domainName = c.string(o, "domainName", path, true)?.toLowerCase().replace(/\.$/, "");
    if (domainName === void 0) return;
    let arn = c.string(o, "arn", path);
    if (arn !== void 0 && !ACM_ARN_RE.test(arn)) {
      c.fail(join(path, "arn"), `not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>): ${JSON.stringify(arn)}`);
      return;
    }
    arn ??= certificateArn(c.string(o, "region", path) ?? "us-east-1", state.accountId, `${domainName}#${i}`);
    if (arns.has(arn)) c.fail(join(path, "arn"), `duplicate certificate ${arn}`);
    arns.add(arn);
    const status = c.string(o, "status", path) ?? "ISSUED";
    if (!CERT_STATUSES.includes(status)) c.fail(join(path, "status"), `expected one of ${CERT_STATUSES.join(", ")}, got ${JSON.stringify(status)}`);
    const validationMethod = c.string(o, "validationMethod", path) ?? "DNS";
    if (validationMethod !== "DNS" && validationMethod !== "EMAIL") c.fail(join(path, "validationMethod"), `expected DNS or EMAIL, got ${JSON.stringify(validationMethod)}`);
    const type = c.string(o, "type", path) ?? "AMAZON_ISSUED";
    if (type !== "AMAZON_ISSUED" && type !== "IMPORTED" && type !== "PRIVATE") c.fail(join(path, "type"), `expected AMAZON_ISSUED, IMPORTED or PRIVATE, got ${JSON.stringify(type)}`);
    const sans = (c.stringList(o, "subjectAlternativeNames", path) ?? []).map((s) => s.toLowerCase().replace(/\.$/, ""));
    const subjectAlternativeNames = [domainName, ...sans.filter((s) => s !== domainName)].filter((s, j, all) => all.indexOf(s) === j);
    const createdAt = c.timestamp(o, "createdAt", path) ?? iso;
    const cert = {
      arn,
      domainName,
      subjectAlternativeNames,
      status,
      validationMethod: validationMethod === "EMAIL" ? "EMAIL" : "DNS",
      type,
      keyAlgorithm: c.string(o, "keyAlgorithm", path) ?? "RSA-2048",
      createdAt,
      tags: normalizeTags(c, o.tags, join(path, "tags")),
      describeCount: c.integer(o, "describeCount", path, 0, Number.MAX_SAFE_INTEGER) ?? Math.max(1, state.settings.acm.validationRecordAfterDescribes)
    };
    const issuedAt = c.timestamp(o, "issuedAt", path);
    const notBefore = c.timestamp(o, "notBefore", path);
    const notAfter = c.timestamp(o, "notAfter", path);
    if (status === "ISSUED" || issuedAt || notBefore || notAfter) {
      cert.issuedAt = issuedAt ?? createdAt;
      cert.notBefore = notBefore ?? cert.issuedAt;
      cert.notAfter = notAfter ?? new Date(Date.parse(cert.notBefore) + 395 * DAY_MS).toISOString();
    }
    const serial = c.string(o, "serial", path);
    if (serial !== void 0) cert.serial = serial;
    const token = c.string(o, "idempotencyToken", path);
    if (token !== void 0) cert.idempotencyToken = token;
    state.acm.certificates.push(cert);
  });
}
function normalizeTags(c, value, path) {
  if (value === void 0 || value === null) return [];
  if (Array.isArray(value)) {
    const tags2 = [];
    value.forEach((t, i) => {
      const o2 = c.object(t, `${path}[${i}]`);
      if (!o2) return;
      c.known(o2, ["key", "value"], `${path}[${i}]`);
      const key = c.string(o2, "key", `${path}[${i}]`, true);
      const val = c.string(o2, "value", `${path}[${i}]`);
      if (key !== void 0) tags2.push(val === void 0 ? { key } : { key, value: val });
    });
    return tags2;
  }
  const o = c.object(value, path);
  if (!o) return [];
  const tags = [];
  for (const [key, val] of Object.entries(o)) {
    if (typeof val !== "string") c.fail(`${path}.${key}`, `expected a string, got ${describe(val)}`);
    else tags.push({ key, value: val });
  }
  return tags;
}
var BUCKET_NAME_RE = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
function normalizeS3(c, value, state, iso) {
  const s = c.object(value, "s3");
  if (!s) return;
  c.known(s, ["buckets"], "s3");
  if (s.buckets === void 0) return;
  const buckets = c.object(s.buckets, "s3.buckets");
  if (!buckets) return;
  for (const [name, bv] of Object.entries(buckets)) {
    const path = `s3.buckets.${name}`;
    if (!BUCKET_NAME_RE.test(name)) c.fail(path, "invalid bucket name (3-63 lower-case letters, digits, dots and hyphens)");
    const b = c.object(bv, path);
    if (!b) continue;
    c.known(b, ["region", "createdAt", "objects"], path);
    const bucket = { region: c.string(b, "region", path) ?? "us-east-1", createdAt: c.timestamp(b, "createdAt", path) ?? iso, objects: {} };
    if (b.objects !== void 0) {
      const objects = c.object(b.objects, `${path}.objects`);
      for (const [key, ov] of Object.entries(objects ?? {})) {
        const opath = `${path}.objects[${JSON.stringify(key)}]`;
        const o = c.object(ov, opath);
        if (!o) continue;
        c.known(o, ["body", "text", "contentType", "cacheControl", "contentEncoding", "etag", "lastModified", "metadata"], opath);
        const body = c.string(o, "body", opath);
        const txt = c.string(o, "text", opath);
        if (body !== void 0 && txt !== void 0) c.fail(opath, 'give either "body" (base64) or "text" (UTF-8), not both');
        if (body !== void 0 && !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) c.fail(`${opath}.body`, 'expected base64 (use "text" for plain text)');
        const bytes = txt !== void 0 ? Buffer.from(txt, "utf8") : Buffer.from(body ?? "", "base64");
        const obj = {
          body: bytes.toString("base64"),
          contentType: c.string(o, "contentType", opath) ?? "binary/octet-stream",
          etag: c.string(o, "etag", opath) ?? md5Etag(bytes),
          lastModified: c.timestamp(o, "lastModified", opath) ?? iso
        };
        const cacheControl = c.string(o, "cacheControl", opath);
        if (cacheControl !== void 0) obj.cacheControl = cacheControl;
        const contentEncoding = c.string(o, "contentEncoding", opath);
        if (contentEncoding !== void 0) obj.contentEncoding = contentEncoding;
        const metadata = c.stringMap(o, "metadata", opath);
        if (metadata !== void 0) obj.metadata = metadata;
        bucket.objects[key] = obj;
      }
    }
    state.s3.buckets[name] = bucket;
  }
}
var DIST_KEYS = [
  "id",
  "arn",
  "domainName",
  "aliases",
  "status",
  "enabled",
  "comment",
  "etag",
  "callerReference",
  "lastModifiedTime",
  "origins",
  "certificateArn",
  "defaultRootObject",
  "invalidations"
];
function normalizeCloudFront(c, value, state, iso) {
  const f = c.object(value, "cloudfront");
  if (!f) return;
  c.known(f, ["distributions"], "cloudfront");
  const ids = /* @__PURE__ */ new Set();
  c.array(f, "distributions", "cloudfront").forEach((v, i) => {
    const path = `cloudfront.distributions[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, DIST_KEYS, path);
    const id = c.string(o, "id", path) ?? "E" + alnumId(13, "distribution", state.accountId, String(i));
    if (!/^[A-Z0-9]{1,32}$/.test(id)) c.fail(join(path, "id"), `expected upper-case letters and digits (e.g. E2EXAMPLE), got ${JSON.stringify(id)}`);
    if (ids.has(id)) c.fail(join(path, "id"), `duplicate distribution id ${id}`);
    ids.add(id);
    const origins = [];
    c.array(o, "origins", path).forEach((ov, j) => {
      const opath = `${path}.origins[${j}]`;
      const oo = c.object(ov, opath);
      if (!oo) return;
      c.known(oo, ["id", "domainName", "originPath"], opath);
      const domainName = c.string(oo, "domainName", opath, true);
      if (domainName === void 0) return;
      const originPath = c.string(oo, "originPath", opath);
      origins.push({ id: c.string(oo, "id", opath) ?? `origin-${j + 1}`, domainName, ...originPath !== void 0 ? { originPath } : {} });
    });
    const invalidations = [];
    c.array(o, "invalidations", path).forEach((iv, j) => {
      const ipath = `${path}.invalidations[${j}]`;
      const io = c.object(iv, ipath);
      if (!io) return;
      c.known(io, ["id", "callerReference", "paths", "status", "createTime", "pollsRemaining"], ipath);
      const invId = c.string(io, "id", ipath, true);
      const callerReference = c.string(io, "callerReference", ipath, true);
      const paths = c.stringList(io, "paths", ipath) ?? [];
      const status = c.string(io, "status", ipath) ?? "Completed";
      if (status !== "InProgress" && status !== "Completed") c.fail(`${ipath}.status`, `expected InProgress or Completed, got ${JSON.stringify(status)}`);
      if (invId === void 0 || callerReference === void 0) return;
      invalidations.push({
        id: invId,
        callerReference,
        paths,
        status: status === "InProgress" ? "InProgress" : "Completed",
        createTime: c.timestamp(io, "createTime", ipath) ?? iso,
        pollsRemaining: c.integer(io, "pollsRemaining", ipath, 0, 1e6) ?? 0
      });
    });
    const certificateArn2 = c.string(o, "certificateArn", path);
    const defaultRootObject = c.string(o, "defaultRootObject", path);
    state.cloudfront.distributions.push({
      id,
      arn: c.string(o, "arn", path) ?? `arn:aws:cloudfront::${state.accountId}:distribution/${id}`,
      domainName: c.string(o, "domainName", path) ?? `d${alnumId(13, "cfdomain", id).toLowerCase()}.cloudfront.net`,
      aliases: (c.stringList(o, "aliases", path) ?? []).map((a) => a.toLowerCase().replace(/\.$/, "")),
      status: c.string(o, "status", path) ?? "Deployed",
      enabled: c.boolean(o, "enabled", path) ?? true,
      comment: c.string(o, "comment", path) ?? "",
      etag: c.string(o, "etag", path) ?? "E" + alnumId(13, "etag", id),
      callerReference: c.string(o, "callerReference", path) ?? `sandbox-${id}`,
      lastModifiedTime: c.timestamp(o, "lastModifiedTime", path) ?? iso,
      origins,
      ...certificateArn2 !== void 0 ? { certificateArn: certificateArn2 } : {},
      ...defaultRootObject !== void 0 ? { defaultRootObject } : {},
      invalidations
    });
  });
}
function jsonErrorLocation(text2, message) {
  const m = /position (\d+)/.exec(message);
  if (!m || /line \d+/.test(message)) return message;
  const pos = Number(m[1]);
  const before = text2.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `${message} (line ${line}, column ${column})`;
}
async function loadSandboxState(file) {
  let text2;
  try {
    text2 = await readFile(file, "utf8");
  } catch (e) {
    const code = e.code;
    throw new SandboxStateError(file, [code === "ENOENT" ? "file not found" : `cannot read file: ${e.message}`]);
  }
  let json2;
  try {
    json2 = JSON.parse(text2.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new SandboxStateError(file, [`not valid JSON: ${jsonErrorLocation(text2, e.message)}`]);
  }
  return normalizeState(json2, file);
}
function serializeState(state) {
  return JSON.stringify(state, null, 2) + "\n";
}
async function writeStateFile(file, state) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, serializeState(state), "utf8");
  await rename(tmp, file);
}

// src/sandbox/services/acm.ts
var TARGET_PREFIX = "CertificateManager.";
var IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1e3;
var DAY_MS2 = 864e5;
var DOMAIN_RE = /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/;
var MUTATING = /* @__PURE__ */ new Set(["RequestCertificate", "AddTagsToCertificate", "RemoveTagsFromCertificate", "DeleteCertificate"]);
var validation = (message) => new SandboxError(400, "ValidationException", message);
function json(body) {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: body === void 0 ? "" : JSON.stringify(body)
  };
}
var epoch = (iso) => iso === void 0 ? void 0 : Date.parse(iso) / 1e3;
function baseDomain(domain) {
  return domain.startsWith("*.") ? domain.slice(2) : domain;
}
function validationRecord(arn, domain) {
  const base = baseDomain(domain.toLowerCase());
  return {
    name: `_${hexId(32, "acm-name", arn, base)}.${base}.`,
    type: "CNAME",
    value: `_${hexId(32, "acm-value", arn, base)}.acm-validations.aws.`
  };
}
function validationRecordPresent(state, rec) {
  const name = canonicalName(rec.name);
  const zones = state.route53.hostedZones.filter((z) => !z.private && isWithinZone(name, z.name)).sort((a, b) => b.name.length - a.name.length);
  const zone = zones[0];
  if (!zone) return false;
  const want = canonicalName(rec.value);
  return zone.records.some(
    (r) => r.name === name && r.type === "CNAME" && (r.values ?? []).some((v) => canonicalName(v) === want)
  );
}
function evaluate(cert, ctx) {
  if (cert.status !== "PENDING_VALIDATION" || cert.validationMethod !== "DNS" || cert.type !== "AMAZON_ISSUED") return;
  const ok = cert.subjectAlternativeNames.every((d) => validationRecordPresent(ctx.state, validationRecord(cert.arn, d)));
  if (!ok) return;
  const now = ctx.now();
  cert.status = "ISSUED";
  cert.issuedAt = now.toISOString();
  cert.notBefore = cert.issuedAt;
  cert.notAfter = new Date(now.getTime() + 395 * DAY_MS2).toISOString();
  cert.serial = hexId(32, "serial", cert.arn).replace(/(..)(?=.)/g, "$1:");
  ctx.changed();
}
function parseBody(req) {
  const raw = req.body.toString("utf8").trim();
  if (raw === "") return {};
  try {
    const v = JSON.parse(raw);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v;
  } catch {
  }
  throw new SandboxError(400, "SerializationException", "Request body is not a JSON object");
}
function str2(body, key, required = false) {
  const v = body[key];
  if (v === void 0 || v === null) {
    if (required) throw validation(`1 validation error detected: Value null at '${lcFirst(key)}' failed to satisfy constraint: Member must not be null`);
    return void 0;
  }
  if (typeof v !== "string") throw new SandboxError(400, "SerializationException", `${key} must be a string`);
  return v;
}
function lcFirst(s) {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
function parseTags(value, required) {
  if (value === void 0 || value === null) {
    if (required) throw validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    return [];
  }
  if (!Array.isArray(value)) throw new SandboxError(400, "SerializationException", "Tags must be a list");
  if (value.length < 1 || value.length > 50) throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and 50");
  return value.map((t) => {
    const o = typeof t === "object" && t !== null ? t : {};
    const key = o.Key;
    const val = o.Value;
    if (typeof key !== "string" || key.length < 1 || key.length > 128) throw validation("Tag keys must be 1-128 characters");
    if (val !== void 0 && (typeof val !== "string" || val.length > 256)) throw validation("Tag values must be at most 256 characters");
    if (key.toLowerCase().startsWith("aws:")) throw new SandboxError(400, "InvalidTagException", `Tag key '${key}' uses the reserved prefix aws:`);
    return val === void 0 ? { key } : { key, value: val };
  });
}
function tagsJson(tags) {
  return tags.map((t) => t.value === void 0 ? { Key: t.key } : { Key: t.key, Value: t.value });
}
function findCert(ctx, req, arn) {
  const m = ACM_ARN_RE.exec(arn);
  if (!m) throw new SandboxError(400, "InvalidArnException", `String '${arn}' is not a valid ARN.`);
  const cert = ctx.state.acm.certificates.find((c) => c.arn === arn);
  if (!cert || m[1] !== req.region || m[2] !== ctx.state.accountId) {
    throw new SandboxError(400, "ResourceNotFoundException", `Could not find certificate ${arn}.`);
  }
  return cert;
}
function inUseBy(state, arn) {
  return state.cloudfront.distributions.filter((d) => d.certificateArn === arn).map((d) => d.arn);
}
function requestCertificate(req, ctx) {
  const body = parseBody(req);
  const domainName = str2(body, "DomainName", true).toLowerCase().replace(/\.$/, "");
  if (domainName.length < 1 || domainName.length > 253 || !DOMAIN_RE.test(domainName)) {
    throw validation(`1 validation error detected: Value '${domainName}' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DOMAIN_RE.source}`);
  }
  const sansRaw = body.SubjectAlternativeNames;
  if (sansRaw !== void 0 && (!Array.isArray(sansRaw) || sansRaw.some((s) => typeof s !== "string"))) {
    throw new SandboxError(400, "SerializationException", "SubjectAlternativeNames must be a list of strings");
  }
  const sans = (sansRaw ?? []).map((s) => s.toLowerCase().replace(/\.$/, ""));
  if (sans.length > 100) throw new SandboxError(400, "LimitExceededException", "Too many SubjectAlternativeNames (max 100)");
  for (const s of sans) {
    if (!DOMAIN_RE.test(s) || s.length > 253) throw new SandboxError(400, "InvalidDomainValidationOptionsException", `Invalid SubjectAlternativeName: ${s}`);
  }
  const method = str2(body, "ValidationMethod") ?? "EMAIL";
  if (method !== "DNS" && method !== "EMAIL") {
    throw validation(`1 validation error detected: Value '${method}' at 'validationMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, DNS] (the sandbox does not simulate HTTP validation)`);
  }
  const token = str2(body, "IdempotencyToken");
  if (token !== void 0 && !/^\w{1,32}$/.test(token)) {
    throw validation(`1 validation error detected: Value '${token}' at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\w+ (1-32 characters)`);
  }
  if (str2(body, "CertificateAuthorityArn") !== void 0) throw validation("The Charter sandbox does not simulate private certificates (CertificateAuthorityArn)");
  const tags = body.Tags === void 0 ? [] : parseTags(body.Tags, false);
  const now = ctx.now();
  const { state } = ctx;
  if (token !== void 0) {
    const prior = state.acm.certificates.find(
      (c) => c.idempotencyToken === token && ACM_ARN_RE.exec(c.arn)?.[1] === req.region && now.getTime() - Date.parse(c.createdAt) < IDEMPOTENCY_WINDOW_MS
    );
    if (prior) return json({ CertificateArn: prior.arn });
  }
  const n = nextCounter(state, "acmCertificate");
  const cert = {
    arn: certificateArn(req.region, state.accountId, `${state.accountId}:${n}`),
    domainName,
    subjectAlternativeNames: [domainName, ...sans.filter((s) => s !== domainName)].filter((s, i, all) => all.indexOf(s) === i),
    status: "PENDING_VALIDATION",
    validationMethod: method,
    type: "AMAZON_ISSUED",
    keyAlgorithm: keyAlgorithmName(str2(body, "KeyAlgorithm") ?? "RSA_2048"),
    createdAt: now.toISOString(),
    tags,
    describeCount: 0
  };
  if (token !== void 0) cert.idempotencyToken = token;
  state.acm.certificates.push(cert);
  ctx.changed();
  return json({ CertificateArn: cert.arn });
}
function keyAlgorithmName(requested) {
  return requested.replace("_", "-");
}
function domainValidationOptions(cert, revealRecords) {
  const status = cert.status === "ISSUED" ? "SUCCESS" : cert.status === "PENDING_VALIDATION" ? "PENDING_VALIDATION" : "FAILED";
  return cert.subjectAlternativeNames.map((domain) => {
    const option = { DomainName: domain, ValidationDomain: domain, ValidationStatus: status, ValidationMethod: cert.validationMethod };
    if (cert.validationMethod === "DNS") {
      if (revealRecords) {
        const rec = validationRecord(cert.arn, domain);
        option.ResourceRecord = { Name: rec.name, Type: rec.type, Value: rec.value };
      }
    } else {
      const base = baseDomain(domain);
      option.ValidationEmails = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"].map((u) => `${u}@${base}`);
    }
    return option;
  });
}
function describeCertificate(req, ctx) {
  const body = parseBody(req);
  const cert = findCert(ctx, req, str2(body, "CertificateArn", true));
  evaluate(cert, ctx);
  const reveal = cert.describeCount >= ctx.state.settings.acm.validationRecordAfterDescribes;
  cert.describeCount++;
  ctx.changed();
  const issued = cert.issuedAt !== void 0;
  const detail = {
    CertificateArn: cert.arn,
    DomainName: cert.domainName,
    SubjectAlternativeNames: cert.subjectAlternativeNames,
    DomainValidationOptions: domainValidationOptions(cert, reveal),
    Subject: `CN=${cert.domainName}`,
    CreatedAt: epoch(cert.createdAt),
    Status: cert.status,
    KeyAlgorithm: cert.keyAlgorithm,
    SignatureAlgorithm: "SHA256WITHRSA",
    InUseBy: inUseBy(ctx.state, cert.arn),
    Type: cert.type,
    KeyUsages: [],
    ExtendedKeyUsages: [],
    RenewalEligibility: cert.status === "ISSUED" && inUseBy(ctx.state, cert.arn).length > 0 ? "ELIGIBLE" : "INELIGIBLE",
    Options: { CertificateTransparencyLoggingPreference: "ENABLED", Export: "DISABLED" }
  };
  if (issued) {
    Object.assign(detail, {
      Serial: cert.serial,
      Issuer: "Amazon",
      IssuedAt: epoch(cert.issuedAt),
      NotBefore: epoch(cert.notBefore),
      NotAfter: epoch(cert.notAfter),
      KeyUsages: [{ Name: "DIGITAL_SIGNATURE" }, { Name: "KEY_ENCIPHERMENT" }],
      ExtendedKeyUsages: [
        { Name: "TLS_WEB_SERVER_AUTHENTICATION", OID: "1.3.6.1.5.5.7.3.1" },
        { Name: "TLS_WEB_CLIENT_AUTHENTICATION", OID: "1.3.6.1.5.5.7.3.2" }
      ]
    });
  }
  return json({ Certificate: detail });
}
var ALL_STATUSES = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"];
function listCertificates(req, ctx) {
  const body = parseBody(req);
  const statuses = body.CertificateStatuses;
  if (statuses !== void 0 && (!Array.isArray(statuses) || statuses.some((s) => !ALL_STATUSES.includes(s)))) {
    throw validation(`1 validation error detected: Value at 'certificateStatuses' failed to satisfy constraint: Member must satisfy enum value set: [${ALL_STATUSES.join(", ")}]`);
  }
  const includes = body.Includes ?? {};
  const keyTypes = Array.isArray(includes.keyTypes) ? includes.keyTypes : ["RSA_1024", "RSA_2048"];
  const maxItems = body.MaxItems === void 0 ? 1e3 : Number(body.MaxItems);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1e3) {
    throw validation(`1 validation error detected: Value '${String(body.MaxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const token = str2(body, "NextToken");
  let start = 0;
  if (token !== void 0) {
    start = Number(Buffer.from(token, "base64").toString("utf8").replace(/^sandbox:/, ""));
    if (!Number.isInteger(start) || start < 0) throw new SandboxError(400, "InvalidArgsException", "The NextToken is invalid");
  }
  const all = ctx.state.acm.certificates.filter((c) => ACM_ARN_RE.exec(c.arn)?.[1] === req.region);
  for (const c of all) evaluate(c, ctx);
  const matching = all.filter(
    (c) => (statuses === void 0 || statuses.includes(c.status)) && keyTypes.includes(c.keyAlgorithm.replace("-", "_"))
  );
  const page = matching.slice(start, start + maxItems);
  const result = {
    CertificateSummaryList: page.map((c) => {
      const summary = {
        CertificateArn: c.arn,
        DomainName: c.domainName,
        SubjectAlternativeNameSummaries: c.subjectAlternativeNames.slice(0, 100),
        HasAdditionalSubjectAlternativeNames: c.subjectAlternativeNames.length > 100,
        Status: c.status,
        Type: c.type,
        KeyAlgorithm: c.keyAlgorithm,
        KeyUsages: c.issuedAt ? ["DIGITAL_SIGNATURE", "KEY_ENCIPHERMENT"] : [],
        ExtendedKeyUsages: c.issuedAt ? ["TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION"] : [],
        InUse: inUseBy(ctx.state, c.arn).length > 0,
        RenewalEligibility: "INELIGIBLE",
        CreatedAt: epoch(c.createdAt)
      };
      if (c.issuedAt) Object.assign(summary, { IssuedAt: epoch(c.issuedAt), NotBefore: epoch(c.notBefore), NotAfter: epoch(c.notAfter) });
      return summary;
    })
  };
  if (start + maxItems < matching.length) result.NextToken = Buffer.from(`sandbox:${start + maxItems}`).toString("base64");
  return json(result);
}
function listTags(req, ctx) {
  const cert = findCert(ctx, req, str2(parseBody(req), "CertificateArn", true));
  return json({ Tags: tagsJson(cert.tags) });
}
function addTags(req, ctx) {
  const body = parseBody(req);
  const cert = findCert(ctx, req, str2(body, "CertificateArn", true));
  const tags = parseTags(body.Tags, true);
  const merged = [...cert.tags];
  for (const t of tags) {
    const i = merged.findIndex((m) => m.key === t.key);
    if (i >= 0) merged[i] = t;
    else merged.push(t);
  }
  if (merged.length > 50) throw new SandboxError(400, "TooManyTagsException", "A certificate can have at most 50 tags");
  cert.tags = merged;
  ctx.changed();
  return json(void 0);
}
function removeTags(req, ctx) {
  const body = parseBody(req);
  const cert = findCert(ctx, req, str2(body, "CertificateArn", true));
  const tags = parseTags(body.Tags, true);
  cert.tags = cert.tags.filter((t) => !tags.some((r) => r.key === t.key && (r.value === void 0 || r.value === t.value)));
  ctx.changed();
  return json(void 0);
}
function deleteCertificate(req, ctx) {
  const cert = findCert(ctx, req, str2(parseBody(req), "CertificateArn", true));
  const users = inUseBy(ctx.state, cert.arn);
  if (users.length > 0) throw new SandboxError(400, "ResourceInUseException", `Certificate ${cert.arn} is in use by ${users.join(", ")}.`);
  ctx.state.acm.certificates = ctx.state.acm.certificates.filter((c) => c !== cert);
  ctx.changed();
  return json(void 0);
}
function target(req) {
  const t = req.headers["x-amz-target"];
  return typeof t === "string" ? t : void 0;
}
var acm = {
  name: "acm",
  matches: (req) => target(req)?.startsWith(TARGET_PREFIX) ?? false,
  operation(req) {
    const t = target(req);
    return t?.startsWith(TARGET_PREFIX) && req.method === "POST" ? t.slice(TARGET_PREFIX.length) : "Unknown";
  },
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    switch (op) {
      case "RequestCertificate":
        return requestCertificate(req, ctx);
      case "DescribeCertificate":
        return describeCertificate(req, ctx);
      case "ListCertificates":
        return listCertificates(req, ctx);
      case "ListTagsForCertificate":
        return listTags(req, ctx);
      case "AddTagsToCertificate":
        return addTags(req, ctx);
      case "RemoveTagsFromCertificate":
        return removeTags(req, ctx);
      case "DeleteCertificate":
        return deleteCertificate(req, ctx);
      default:
        throw new SandboxError(400, "UnknownOperationException", `The Charter sandbox does not implement ACM operation ${op}`);
    }
  },
  renderError: (err, req) => ({
    status: err.status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": req.requestId },
    body: JSON.stringify({ __type: err.code, message: err.message })
  }),
  throttleError: () => new SandboxError(400, "ThrottlingException", "Rate exceeded"),
  defaultWriteFailure: () => new SandboxError(400, "ValidationException", "Injected failure (sandbox failNthWrite)")
};

// src/sandbox/xml.ts
var ESCAPES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#xD;",
  "\n": "&#xA;",
  "	": "&#x9;"
};
function escapeXml(value) {
  return value.replace(/[&<>"'\r\n\t]/g, (ch) => ESCAPES[ch] ?? ch);
}
function el(name, ...children) {
  return { name, children };
}
function elAttrs(name, attrs, ...children) {
  return { name, attrs, children };
}
function opt(name, value) {
  return value === void 0 || value === null ? void 0 : el(name, value);
}
function isElement(c) {
  return typeof c === "object" && c !== null && !Array.isArray(c) && !(c instanceof Date);
}
function renderContent(c, out) {
  if (c === null || c === void 0 || c === false) return;
  if (Array.isArray(c)) {
    for (const child2 of c) renderContent(child2, out);
    return;
  }
  if (c instanceof Date) {
    out.push(c.toISOString());
    return;
  }
  if (isElement(c)) {
    out.push("<", c.name);
    for (const [k, v] of Object.entries(c.attrs ?? {})) out.push(" ", k, '="', escapeXml(v), '"');
    out.push(">");
    for (const child2 of c.children) renderContent(child2, out);
    out.push("</", c.name, ">");
    return;
  }
  out.push(escapeXml(String(c)));
}
function renderXml(root) {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  renderContent(root, out);
  return out.join("");
}
var parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true
});
var XmlParseError = class extends Error {
};
function parseXmlDocument(body) {
  let parsed;
  try {
    parsed = parser.parse(body, true);
  } catch (e) {
    throw new XmlParseError(e instanceof Error ? e.message : String(e));
  }
  if (typeof parsed !== "object" || parsed === null) throw new XmlParseError("no root element");
  const entries = Object.entries(parsed).filter(([k]) => k !== "#text");
  if (entries.length !== 1) throw new XmlParseError("expected exactly one root element");
  const [root, value] = entries[0];
  return { root, value: typeof value === "object" && value !== null && !Array.isArray(value) ? value : {} };
}
function child(node, name) {
  if (node === void 0 || typeof node === "string") return void 0;
  if (Array.isArray(node)) return child(node[0], name);
  const value = node[name];
  return value;
}
function text(node, name) {
  const c = child(node, name);
  if (c === void 0) return void 0;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return typeof c[0] === "string" ? c[0] : void 0;
  const t = c["#text"];
  return typeof t === "string" ? t : "";
}
function listItems(node, container, item) {
  const c = child(node, container);
  if (c === void 0 || typeof c === "string") return [];
  const items = child(c, item);
  if (items === void 0) return [];
  return Array.isArray(items) ? items : [items];
}

// src/sandbox/services/common.ts
function xmlResponse(status, root, headers = {}) {
  return { status, headers: { "content-type": "text/xml", ...headers }, body: renderXml(root) };
}
function rootElement(name, namespace, ...children) {
  return elAttrs(name, { xmlns: namespace }, ...children);
}
function errorResponse(namespace, err, req) {
  const body = rootElement(
    "ErrorResponse",
    namespace,
    el("Error", el("Type", err.status >= 500 ? "Receiver" : "Sender"), el("Code", err.code), el("Message", err.message)),
    el("RequestId", req.requestId)
  );
  return xmlResponse(err.status, body, { "x-amzn-requestid": req.requestId });
}
function pathSegments(path) {
  return path.split("/").filter((s) => s !== "").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}
function intParam(req, name, error) {
  const raw = req.query.get(name);
  if (raw === null || raw === "") return void 0;
  if (!/^\d+$/.test(raw)) throw error(`Invalid value for ${name}: ${raw}`);
  return Number(raw);
}
function unsupported(service, req) {
  return new SandboxError(400, "UnsupportedOperation", `The Charter sandbox does not implement this ${service} request: ${req.method} ${req.path}`);
}

// src/sandbox/services/cloudfront.ts
var NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
var PREFIX = "/2020-05-31/";
var MAX_FILE_PATHS_IN_PROGRESS = 3e3;
var MAX_WILDCARD_PATHS_IN_PROGRESS = 15;
var invalidArgument = (message) => new SandboxError(400, "InvalidArgument", message);
function segments(req) {
  if (!req.path.startsWith(PREFIX)) return void 0;
  return pathSegments(req.path.slice(PREFIX.length));
}
function operationOf(req) {
  const s = segments(req);
  if (!s || s[0] !== "distribution") return "Unknown";
  const m = req.method;
  if (s.length === 1) return m === "GET" ? "ListDistributions" : m === "POST" ? "CreateDistribution" : "Unknown";
  if (s.length === 2) return m === "GET" ? "GetDistribution" : m === "DELETE" ? "DeleteDistribution" : "Unknown";
  if (s.length === 3 && s[2] === "config") return m === "GET" ? "GetDistributionConfig" : m === "PUT" ? "UpdateDistribution" : "Unknown";
  if (s.length === 3 && s[2] === "invalidation") return m === "GET" ? "ListInvalidations" : m === "POST" ? "CreateInvalidation" : "Unknown";
  if (s.length === 4 && s[2] === "invalidation" && m === "GET") return "GetInvalidation";
  return "Unknown";
}
function findDistribution(state, id) {
  const d = state.cloudfront.distributions.find((x) => x.id === id);
  if (!d) throw new SandboxError(404, "NoSuchDistribution", "The specified distribution does not exist.");
  return d;
}
var quantity = (name, itemName, items) => el(name, el("Quantity", items.length), items.length > 0 && el("Items", items.map((i) => el(itemName, i))));
function isS3Origin(domainName) {
  return /\.s3([.-][a-z0-9-]+)?\.amazonaws\.com$/.test(domainName);
}
function originXml(o) {
  return el(
    "Origin",
    el("Id", o.id),
    el("DomainName", o.domainName),
    el("OriginPath", o.originPath ?? ""),
    el("CustomHeaders", el("Quantity", 0)),
    isS3Origin(o.domainName) ? el("S3OriginConfig", el("OriginAccessIdentity", "")) : el(
      "CustomOriginConfig",
      el("HTTPPort", 80),
      el("HTTPSPort", 443),
      el("OriginProtocolPolicy", "https-only"),
      quantity("OriginSslProtocols", "SslProtocol", ["TLSv1.2"]),
      el("OriginReadTimeout", 30),
      el("OriginKeepaliveTimeout", 5)
    ),
    el("ConnectionAttempts", 3),
    el("ConnectionTimeout", 10),
    el("OriginShield", el("Enabled", false)),
    el("OriginAccessControlId", "")
  );
}
function distributionConfigXml(d) {
  const origins = d.origins.length > 0 ? d.origins : [{ id: "sandbox-origin", domainName: "sandbox-origin.invalid" }];
  const disabled = (name) => el(name, el("Enabled", false), el("Quantity", 0));
  return el(
    "DistributionConfig",
    el("CallerReference", d.callerReference),
    quantity("Aliases", "CNAME", d.aliases),
    el("DefaultRootObject", d.defaultRootObject ?? ""),
    el("Origins", el("Quantity", origins.length), el("Items", origins.map(originXml))),
    el("OriginGroups", el("Quantity", 0)),
    el(
      "DefaultCacheBehavior",
      el("TargetOriginId", origins[0].id),
      disabled("TrustedSigners"),
      disabled("TrustedKeyGroups"),
      el("ViewerProtocolPolicy", "redirect-to-https"),
      el("AllowedMethods", el("Quantity", 2), el("Items", el("Method", "HEAD"), el("Method", "GET")), quantity("CachedMethods", "Method", ["HEAD", "GET"])),
      el("SmoothStreaming", false),
      el("Compress", true),
      el("LambdaFunctionAssociations", el("Quantity", 0)),
      el("FunctionAssociations", el("Quantity", 0)),
      el("FieldLevelEncryptionId", ""),
      el("CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6")
    ),
    el("CacheBehaviors", el("Quantity", 0)),
    el("CustomErrorResponses", el("Quantity", 0)),
    el("Comment", d.comment),
    el("Logging", el("Enabled", false), el("IncludeCookies", false), el("Bucket", ""), el("Prefix", "")),
    el("PriceClass", "PriceClass_All"),
    el("Enabled", d.enabled),
    d.certificateArn ? el(
      "ViewerCertificate",
      el("CloudFrontDefaultCertificate", false),
      el("ACMCertificateArn", d.certificateArn),
      el("SSLSupportMethod", "sni-only"),
      el("MinimumProtocolVersion", "TLSv1.2_2021"),
      el("Certificate", d.certificateArn),
      el("CertificateSource", "acm")
    ) : el(
      "ViewerCertificate",
      el("CloudFrontDefaultCertificate", true),
      el("SSLSupportMethod", "vip"),
      el("MinimumProtocolVersion", "TLSv1"),
      el("CertificateSource", "cloudfront")
    ),
    el("Restrictions", el("GeoRestriction", el("RestrictionType", "none"), el("Quantity", 0))),
    el("WebACLId", ""),
    el("HttpVersion", "http2"),
    el("IsIPV6Enabled", true),
    el("Staging", false)
  );
}
function distributionXml(d) {
  return rootElement(
    "Distribution",
    NS,
    el("Id", d.id),
    el("ARN", d.arn),
    el("Status", d.status),
    el("LastModifiedTime", d.lastModifiedTime),
    el("InProgressInvalidationBatches", d.invalidations.filter((i) => i.status === "InProgress").length),
    el("DomainName", d.domainName),
    el("ActiveTrustedSigners", el("Enabled", false), el("Quantity", 0)),
    el("ActiveTrustedKeyGroups", el("Enabled", false), el("Quantity", 0)),
    distributionConfigXml(d)
  );
}
function invalidationXml(inv, root) {
  const children = [
    el("Id", inv.id),
    el("Status", inv.status),
    el("CreateTime", inv.createTime),
    el("InvalidationBatch", quantity("Paths", "Path", inv.paths), el("CallerReference", inv.callerReference))
  ];
  return root ? rootElement("Invalidation", NS, children) : el("Invalidation", children);
}
function location(d, inv) {
  return `https://cloudfront.amazonaws.com/2020-05-31/distribution/${d.id}/invalidation/${inv.id}`;
}
function getDistribution(id, state) {
  const d = findDistribution(state, id);
  return xmlResponse(200, distributionXml(d), { etag: d.etag });
}
function parseInvalidationBatch(body) {
  let doc;
  try {
    doc = parseXmlDocument(body.toString("utf8"));
  } catch (e) {
    throw new SandboxError(400, "MalformedInput", `Could not parse the request body as XML: ${e instanceof XmlParseError ? e.message : String(e)}`);
  }
  if (doc.root !== "InvalidationBatch") throw new SandboxError(400, "MalformedInput", `Expected an InvalidationBatch document, got ${doc.root}`);
  const callerReference = text(doc.value, "CallerReference");
  if (!callerReference) throw invalidArgument("CallerReference is required.");
  const pathsNode = doc.value.Paths;
  const q = text(pathsNode, "Quantity");
  if (pathsNode === void 0 || q === void 0) throw new SandboxError(400, "MissingBody", "Paths and Paths.Quantity are required.");
  const paths = listItems(pathsNode, "Items", "Path").map((p) => typeof p === "string" ? p : "");
  if (Number(q) !== paths.length) throw new SandboxError(400, "InconsistentQuantities", "The value of Quantity and the size of Items don't match.");
  return { paths, callerReference };
}
function createInvalidation(id, req, ctx) {
  const d = findDistribution(ctx.state, id);
  const { paths, callerReference } = parseInvalidationBatch(req.body);
  if (paths.length === 0) throw invalidArgument("Your request contains no invalidation paths.");
  const bad = paths.filter((p) => !p.startsWith("/") || p.length > 4e3);
  if (bad.length > 0) throw invalidArgument(`Your request contains one or more invalid invalidation paths (each path must start with '/'): ${bad.slice(0, 5).join(", ")}`);
  if (paths.length > MAX_FILE_PATHS_IN_PROGRESS) throw new SandboxError(413, "BatchTooLarge", `Invalidation batch specified is too large (${paths.length} paths; at most ${MAX_FILE_PATHS_IN_PROGRESS}).`);
  const prior = d.invalidations.find((i) => i.callerReference === callerReference);
  if (prior) {
    const same = prior.paths.length === paths.length && [...prior.paths].sort().every((p, i) => p === [...paths].sort()[i]);
    if (!same) throw new SandboxError(409, "InvalidationBatchAlreadyExists", `An invalidation with CallerReference ${callerReference} already exists with different paths.`);
    return xmlResponse(201, invalidationXml(prior, true), { location: location(d, prior) });
  }
  const inProgress = d.invalidations.filter((i) => i.status === "InProgress").flatMap((i) => i.paths);
  const isWildcard = (p) => p.includes("*");
  const wildcards = inProgress.filter(isWildcard).length + paths.filter(isWildcard).length;
  const files = inProgress.filter((p) => !isWildcard(p)).length + paths.filter((p) => !isWildcard(p)).length;
  if (wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS || files > MAX_FILE_PATHS_IN_PROGRESS) {
    throw new SandboxError(400, "TooManyInvalidationsInProgress", "You have exceeded the maximum number of allowable InProgress invalidation batch requests, or invalidation objects.");
  }
  const polls = ctx.state.settings.cloudfront.invalidationCompleteAfterPolls;
  const inv = {
    id: "I" + alnumId(13, "invalidation", ctx.state.accountId, String(nextCounter(ctx.state, "cloudfrontInvalidation"))),
    callerReference,
    paths,
    status: polls === 0 ? "Completed" : "InProgress",
    createTime: ctx.now().toISOString(),
    pollsRemaining: polls
  };
  d.invalidations.push(inv);
  ctx.changed();
  return xmlResponse(201, invalidationXml(inv, true), { location: location(d, inv) });
}
function getInvalidation(distId, invId, ctx) {
  const d = findDistribution(ctx.state, distId);
  const inv = d.invalidations.find((i) => i.id === invId);
  if (!inv) throw new SandboxError(404, "NoSuchInvalidation", "The specified invalidation does not exist.");
  if (inv.status === "InProgress") {
    inv.pollsRemaining = Math.max(0, inv.pollsRemaining - 1);
    if (inv.pollsRemaining === 0) inv.status = "Completed";
    ctx.changed();
  }
  return xmlResponse(200, invalidationXml(inv, true));
}
function listInvalidations(distId, req, state) {
  const d = findDistribution(state, distId);
  const maxItems = intParam(req, "MaxItems", invalidArgument) ?? 100;
  if (maxItems < 1 || maxItems > 1e3) throw invalidArgument("MaxItems must be between 1 and 1000.");
  const marker = req.query.get("Marker") ?? "";
  const newestFirst = [...d.invalidations].reverse();
  let start = 0;
  if (marker !== "") {
    start = newestFirst.findIndex((i) => i.id === marker);
    if (start < 0) throw invalidArgument(`Invalid Marker: ${marker}`);
  }
  const page = newestFirst.slice(start, start + maxItems);
  const next = newestFirst[start + maxItems];
  return xmlResponse(
    200,
    rootElement(
      "InvalidationList",
      NS,
      el("Marker", marker),
      opt("NextMarker", next?.id),
      el("MaxItems", maxItems),
      el("IsTruncated", next !== void 0),
      el("Quantity", page.length),
      page.length > 0 && el(
        "Items",
        page.map((i) => el("InvalidationSummary", el("Id", i.id), el("CreateTime", i.createTime), el("Status", i.status)))
      )
    )
  );
}
var cloudfront = {
  name: "cloudfront",
  matches: (req) => req.path.startsWith(PREFIX),
  operation: operationOf,
  isMutating: (op) => ["CreateInvalidation", "CreateDistribution", "UpdateDistribution", "DeleteDistribution"].includes(op),
  handle(op, req, ctx) {
    const s = segments(req) ?? [];
    switch (op) {
      case "GetDistribution":
        return getDistribution(s[1], ctx.state);
      case "CreateInvalidation":
        return createInvalidation(s[1], req, ctx);
      case "GetInvalidation":
        return getInvalidation(s[1], s[3], ctx);
      case "ListInvalidations":
        return listInvalidations(s[1], req, ctx.state);
      default:
        throw unsupported("CloudFront", req);
    }
  },
  renderError: (err, req) => errorResponse(NS, err, req),
  throttleError: () => new SandboxError(400, "Throttling", "Rate exceeded"),
  defaultWriteFailure: () => new SandboxError(400, "InvalidArgument", "Injected failure (sandbox failNthWrite)")
};

// src/sandbox/services/route53.ts
var NS2 = "https://route53.amazonaws.com/doc/2013-04-01/";
var PREFIX2 = "/2013-04-01/";
var MAX_ZONES_PAGE = 100;
var MAX_RECORDS_PAGE = 300;
var MAX_BATCH_RECORDS = 1e3;
var MAX_BATCH_CHARS = 32e3;
var invalidInput = (message) => new SandboxError(400, "InvalidInput", message);
var noSuchZone = (id) => new SandboxError(404, "NoSuchHostedZone", `No hosted zone found with ID: ${id}`);
var invalidChangeBatch = (messages) => new SandboxError(400, "InvalidChangeBatch", `[${messages.join(", ")}]`);
function segmentsAfterPrefix(req) {
  if (!req.path.startsWith(PREFIX2)) return void 0;
  return pathSegments(req.path.slice(PREFIX2.length));
}
function operationOf2(req) {
  const s = segmentsAfterPrefix(req);
  if (!s) return "Unknown";
  const m = req.method;
  if (s[0] === "hostedzone") {
    if (s.length === 1) return m === "GET" ? "ListHostedZones" : m === "POST" ? "CreateHostedZone" : "Unknown";
    if (s.length === 2) return m === "GET" ? "GetHostedZone" : m === "DELETE" ? "DeleteHostedZone" : m === "POST" ? "UpdateHostedZoneComment" : "Unknown";
    if (s.length === 3 && s[2] === "rrset") return m === "GET" ? "ListResourceRecordSets" : m === "POST" ? "ChangeResourceRecordSets" : "Unknown";
    return "Unknown";
  }
  if (s[0] === "change" && s.length === 2 && m === "GET") return "GetChange";
  if (s[0] === "hostedzonesbyname" && s.length === 1 && m === "GET") return "ListHostedZonesByName";
  if (s[0] === "hostedzonecount" && s.length === 1 && m === "GET") return "GetHostedZoneCount";
  return "Unknown";
}
function hostedZoneXml(z) {
  return el(
    "HostedZone",
    el("Id", `/hostedzone/${z.id}`),
    el("Name", formatName(z.name)),
    el("CallerReference", z.callerReference),
    el("Config", opt("Comment", z.comment), el("PrivateZone", z.private)),
    el("ResourceRecordSetCount", z.records.length)
  );
}
function recordXml(r) {
  return el(
    "ResourceRecordSet",
    el("Name", formatName(r.name)),
    el("Type", r.type),
    opt("SetIdentifier", r.setIdentifier),
    opt("Weight", r.weight),
    opt("Region", r.region),
    opt("Failover", r.failover),
    opt("MultiValueAnswer", r.multiValueAnswer),
    opt("TTL", r.ttl),
    r.values && el("ResourceRecords", r.values.map((v) => el("ResourceRecord", el("Value", v)))),
    r.alias && el(
      "AliasTarget",
      el("HostedZoneId", r.alias.hostedZoneId),
      el("DNSName", formatName(r.alias.dnsName)),
      el("EvaluateTargetHealth", r.alias.evaluateTargetHealth)
    ),
    opt("HealthCheckId", r.healthCheckId)
  );
}
function changeInfoXml(c) {
  return el("ChangeInfo", el("Id", `/change/${c.id}`), el("Status", c.status), el("SubmittedAt", c.submittedAt), opt("Comment", c.comment));
}
function findZone(state, rawId) {
  const id = rawId.replace(/^\/?hostedzone\//, "");
  const zone = state.route53.hostedZones.find((z) => z.id === id);
  if (!zone) throw noSuchZone(id);
  return zone;
}
function pageSize(req, max) {
  const n = intParam(req, "maxitems", invalidInput);
  if (n === void 0) return max;
  if (n < 1) throw invalidInput(`Invalid value for maxitems: ${n}`);
  return Math.min(n, max);
}
function listHostedZones(req, state) {
  const max = pageSize(req, MAX_ZONES_PAGE);
  const type = req.query.get("hostedzonetype");
  if (type !== null && type !== "PrivateHostedZone") throw invalidInput(`Invalid value for hostedzonetype: ${type}`);
  const zones = state.route53.hostedZones.filter((z) => type === null || z.private);
  const marker = req.query.get("marker");
  let start = 0;
  if (marker) {
    start = zones.findIndex((z) => z.id === marker.replace(/^\/hostedzone\//, ""));
    if (start < 0) throw invalidInput(`Invalid marker: ${marker}`);
  }
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return xmlResponse(
    200,
    rootElement(
      "ListHostedZonesResponse",
      NS2,
      el("HostedZones", page.map(hostedZoneXml)),
      opt("Marker", marker ?? void 0),
      el("IsTruncated", next !== void 0),
      next && el("NextMarker", next.id),
      el("MaxItems", max)
    )
  );
}
function listHostedZonesByName(req, state) {
  const max = pageSize(req, MAX_ZONES_PAGE);
  const dnsName = req.query.get("dnsname");
  const zoneId = req.query.get("hostedzoneid");
  if (zoneId && !dnsName) throw invalidInput("HostedZoneId requires DNSName");
  const zones = [...state.route53.hostedZones].sort((a, b) => compareNames(a.name, b.name) || a.id.localeCompare(b.id));
  let start = 0;
  if (dnsName) {
    const name = canonicalName(dnsName);
    start = zones.findIndex((z) => {
      const c = compareNames(z.name, name);
      return c > 0 || c === 0 && (!zoneId || z.id.localeCompare(zoneId) >= 0);
    });
    if (start < 0) start = zones.length;
  }
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return xmlResponse(
    200,
    rootElement(
      "ListHostedZonesByNameResponse",
      NS2,
      el("HostedZones", page.map(hostedZoneXml)),
      dnsName && el("DNSName", dnsName),
      zoneId && el("HostedZoneId", zoneId),
      el("IsTruncated", next !== void 0),
      next && el("NextDNSName", formatName(next.name)),
      next && el("NextHostedZoneId", next.id),
      el("MaxItems", max)
    )
  );
}
function getHostedZone(id, state) {
  const zone = findZone(state, id);
  return xmlResponse(
    200,
    rootElement(
      "GetHostedZoneResponse",
      NS2,
      hostedZoneXml(zone),
      !zone.private && el("DelegationSet", el("NameServers", zone.nameServers.map((n) => el("NameServer", n.replace(/\.$/, "")))))
    )
  );
}
function getHostedZoneCount(state) {
  return xmlResponse(200, rootElement("GetHostedZoneCountResponse", NS2, el("HostedZoneCount", state.route53.hostedZones.length)));
}
function compareRecordKey(r, name, type, identifier) {
  const c = compareNames(r.name, name);
  if (c !== 0 || type === void 0) return c;
  if (r.type !== type) return r.type < type ? -1 : 1;
  if (identifier === void 0) return 0;
  return (r.setIdentifier ?? "").localeCompare(identifier);
}
function listResourceRecordSets(id, req, state) {
  const zone = findZone(state, id);
  const max = pageSize(req, MAX_RECORDS_PAGE);
  const startName = req.query.get("name");
  const startType = req.query.get("type") ?? void 0;
  const startId = req.query.get("identifier") ?? void 0;
  if (startType !== void 0 && !startName) throw invalidInput("The input is not valid: StartRecordType requires StartRecordName");
  if (startType !== void 0 && !RECORD_TYPES.has(startType)) throw invalidInput(`Invalid type: ${startType}`);
  if (startId !== void 0 && startType === void 0) throw invalidInput("The input is not valid: StartRecordIdentifier requires StartRecordType");
  const records = zone.records;
  let start = 0;
  if (startName) {
    const name = canonicalName(startName);
    start = records.findIndex((r) => compareRecordKey(r, name, startType, startId) >= 0);
    if (start < 0) start = records.length;
  }
  const page = records.slice(start, start + max);
  const next = records[start + max];
  return xmlResponse(
    200,
    rootElement(
      "ListResourceRecordSetsResponse",
      NS2,
      el("ResourceRecordSets", page.map(recordXml)),
      el("IsTruncated", next !== void 0),
      next && el("NextRecordName", formatName(next.name)),
      next && el("NextRecordType", next.type),
      next?.setIdentifier !== void 0 && el("NextRecordIdentifier", next.setIdentifier),
      el("MaxItems", max)
    )
  );
}
function parseInteger(value, where) {
  if (value === void 0) return void 0;
  if (!/^-?\d+$/.test(value.trim())) throw invalidInput(`1 validation error detected: Value '${value}' at '${where}' failed to satisfy constraint: Member must be an integer`);
  return Number(value.trim());
}
function parseChanges(body) {
  let doc;
  try {
    doc = parseXmlDocument(body.toString("utf8"));
  } catch (e) {
    throw invalidInput(`Could not parse the request body as XML: ${e instanceof XmlParseError ? e.message : String(e)}`);
  }
  const batch = doc.value.ChangeBatch;
  if (batch === void 0) throw invalidInput("1 validation error detected: Value null at 'changeBatch' failed to satisfy constraint: Member must not be null");
  const items = listItems(batch, "Changes", "Change");
  if (items.length === 0) {
    throw invalidInput("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const changes = items.map((item, i) => parseChange(item, i + 1));
  const comment = text(batch, "Comment");
  return comment === void 0 ? { changes } : { changes, comment };
}
function parseChange(item, n) {
  const where = `changeBatch.changes.${n}.member`;
  const action = text(item, "Action");
  if (action === void 0) throw invalidInput(`1 validation error detected: Value null at '${where}.action' failed to satisfy constraint: Member must not be null`);
  if (action !== "CREATE" && action !== "DELETE" && action !== "UPSERT") {
    throw invalidInput(`1 validation error detected: Value '${action}' at '${where}.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]`);
  }
  const rrs = typeof item === "object" && !Array.isArray(item) ? item.ResourceRecordSet : void 0;
  if (rrs === void 0) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet' failed to satisfy constraint: Member must not be null`);
  const rawName = text(rrs, "Name");
  if (rawName === void 0) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.name' failed to satisfy constraint: Member must not be null`);
  const type = text(rrs, "Type");
  if (type === void 0) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.type' failed to satisfy constraint: Member must not be null`);
  if (!RECORD_TYPES.has(type)) {
    throw invalidInput(`1 validation error detected: Value '${type}' at '${where}.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...RECORD_TYPES].join(", ")}]`);
  }
  for (const unsupportedField of ["GeoLocation", "CidrRoutingConfig", "GeoProximityLocation", "TrafficPolicyInstanceId"]) {
    if (text(rrs, unsupportedField) !== void 0) throw invalidInput(`The Charter sandbox does not support ${unsupportedField} record sets`);
  }
  const record = { name: canonicalName(rawName), type };
  const ttl = parseInteger(text(rrs, "TTL"), `${where}.resourceRecordSet.TTL`);
  const rrItems = listItems(rrs, "ResourceRecords", "ResourceRecord");
  const hasRecords = typeof rrs === "object" && !Array.isArray(rrs) && rrs.ResourceRecords !== void 0;
  const aliasNode = typeof rrs === "object" && !Array.isArray(rrs) ? rrs.AliasTarget : void 0;
  const setId = text(rrs, "SetIdentifier");
  const describeChange = `Change with [Action=${action}, Name=${rawName}, Type=${type}, SetIdentifier=${setId ?? "null"}]`;
  if (aliasNode !== void 0) {
    if (ttl !== void 0 || hasRecords) {
      throw invalidInput(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in ${describeChange}`);
    }
    const hz = text(aliasNode, "HostedZoneId");
    const dns = text(aliasNode, "DNSName");
    if (hz === void 0 || dns === void 0) throw invalidInput(`Invalid request: AliasTarget requires HostedZoneId and DNSName in ${describeChange}`);
    record.alias = { hostedZoneId: hz.replace(/^\/hostedzone\//, ""), dnsName: canonicalName(dns), evaluateTargetHealth: text(aliasNode, "EvaluateTargetHealth") === "true" };
  } else {
    if (ttl === void 0 || !hasRecords) {
      throw invalidInput(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in ${describeChange}`);
    }
    if (ttl < 0 || ttl > 2147483647) throw invalidInput(`1 validation error detected: Value '${ttl}' at '${where}.resourceRecordSet.TTL' failed to satisfy constraint: Member must have value between 0 and 2147483647`);
    if (rrItems.length === 0) {
      throw invalidInput(`1 validation error detected: Value '[]' at '${where}.resourceRecordSet.resourceRecords' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    record.ttl = ttl;
    record.values = rrItems.map((rr, j) => {
      const v = text(rr, "Value");
      if (v === void 0) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.resourceRecords.${j + 1}.member.value' failed to satisfy constraint: Member must not be null`);
      return v;
    });
  }
  if (setId !== void 0) record.setIdentifier = setId;
  const weight = parseInteger(text(rrs, "Weight"), `${where}.resourceRecordSet.weight`);
  if (weight !== void 0) record.weight = weight;
  const region = text(rrs, "Region");
  if (region !== void 0) record.region = region;
  const failover = text(rrs, "Failover");
  if (failover !== void 0) record.failover = failover;
  const mva = text(rrs, "MultiValueAnswer");
  if (mva !== void 0) record.multiValueAnswer = mva === "true";
  const hc = text(rrs, "HealthCheckId");
  if (hc !== void 0) record.healthCheckId = hc;
  return { action, record };
}
function describeRrset(r) {
  return `[name='${formatName(r.name)}', type='${r.type}'${r.setIdentifier !== void 0 ? `, set-identifier='${r.setIdentifier}'` : ""}]`;
}
function recordKey(r) {
  return `${r.name}|${r.type}|${r.setIdentifier ?? ""}`;
}
function sameValues(a, b) {
  if (a === void 0 || b === void 0) return a === b;
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((v, i) => v === sb[i]);
}
function sameRecordSet(a, b) {
  return a.ttl === b.ttl && sameValues(a.values, b.values) && (a.alias === void 0 ? b.alias === void 0 : b.alias !== void 0 && a.alias.hostedZoneId === b.alias.hostedZoneId && a.alias.dnsName === b.alias.dnsName && a.alias.evaluateTargetHealth === b.alias.evaluateTargetHealth) && a.weight === b.weight && a.region === b.region && a.failover === b.failover && a.multiValueAnswer === b.multiValueAnswer && a.healthCheckId === b.healthCheckId;
}
function checkRecordSyntax(zone, change) {
  const r = change.record;
  const problems = [];
  const np = nameProblem(r.name);
  if (np) problems.push(`FATAL problem: ${np.code} (${np.description}) encountered with '${np.value}'`);
  if (!isWithinZone(r.name, zone.name)) problems.push(`RRSet with DNS name ${formatName(r.name)} is not permitted in zone ${formatName(zone.name)}`);
  for (const v of r.values ?? []) {
    const p = recordValueProblem(r.type, v);
    if (p) problems.push(describeValueProblem(p, v));
  }
  if (r.type === "CNAME" && (r.values?.length ?? 0) > 1) {
    problems.push(`RRSet of type CNAME with DNS name ${formatName(r.name)} has more than one value; a CNAME record set holds exactly one`);
  }
  if (r.type === "SOA" && r.name !== zone.name) problems.push(`RRSet of type SOA with DNS name ${formatName(r.name)} is not permitted; SOA records exist only at the zone apex`);
  return problems;
}
function checkLimits(changes) {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const factor = c.action === "UPSERT" ? 2 : 1;
    const values = c.record.values ?? [];
    records += factor * values.length;
    chars += factor * values.reduce((n, v) => n + v.length, 0);
  }
  const problems = [];
  if (records > MAX_BATCH_RECORDS) problems.push(`Number of records limit of ${MAX_BATCH_RECORDS} exceeded.`);
  if (chars > MAX_BATCH_CHARS) problems.push(`RDATA character limit of ${MAX_BATCH_CHARS} exceeded.`);
  return problems;
}
function cnameProblems(records, changes, zone) {
  const typesAt = /* @__PURE__ */ new Map();
  for (const r of records) typesAt.set(r.name, (typesAt.get(r.name) ?? /* @__PURE__ */ new Set()).add(r.type));
  const problems = /* @__PURE__ */ new Set();
  const zoneName = formatName(zone.name);
  for (const { action, record } of changes) {
    if (action === "DELETE") continue;
    const types = typesAt.get(record.name) ?? /* @__PURE__ */ new Set();
    const name = formatName(record.name);
    if (record.type === "CNAME" && types.size > 1) {
      problems.add(`RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`);
    } else if (record.type !== "CNAME" && types.has("CNAME")) {
      problems.add(`RRSet of type ${record.type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`);
    }
  }
  return [...problems];
}
function applyChanges(zone, changes) {
  const current = new Map(zone.records.map((r) => [recordKey(r), r]));
  const problems = [];
  for (const { action, record } of changes) {
    const key = recordKey(record);
    const existing = current.get(key);
    if (action === "CREATE") {
      if (existing) problems.push(`Tried to create resource record set ${describeRrset(record)} but it already exists`);
      else current.set(key, record);
    } else if (action === "DELETE") {
      if (!existing) problems.push(`Tried to delete resource record set ${describeRrset(record)} but it was not found`);
      else if (!sameRecordSet(existing, record)) problems.push(`Tried to delete resource record set ${describeRrset(record)} but the values provided do not match the current values`);
      else current.delete(key);
    } else {
      current.set(key, record);
    }
  }
  const records = [...current.values()];
  const apex = records.filter((r) => r.name === zone.name);
  if (problems.length === 0) {
    if (apex.filter((r) => r.type === "SOA").length !== 1) problems.push("A HostedZone must contain exactly one SOA record.");
    if (!apex.some((r) => r.type === "NS")) problems.push("A HostedZone must contain at least one NS record for the zone itself.");
    problems.push(...cnameProblems(records, changes, zone));
  }
  if (problems.length > 0) return { problems };
  sortRecords(records);
  return { records };
}
function refreshChange(change, state, now) {
  if (change.status !== "PENDING") return false;
  const ms = state.settings.route53.changeInsyncAfterMs;
  if (ms !== null && now.getTime() - Date.parse(change.submittedAt) >= ms) {
    change.status = "INSYNC";
    change.pollsRemaining = 0;
    return true;
  }
  return false;
}
function changeResourceRecordSets(id, req, ctx) {
  const { state } = ctx;
  const zone = findZone(state, id);
  const now = ctx.now();
  const pending = state.route53.changes.filter((c) => c.hostedZoneId === zone.id && c.status === "PENDING");
  for (const c of pending) if (refreshChange(c, state, now)) ctx.changed();
  if (pending.some((c) => c.status === "PENDING")) {
    throw new SandboxError(400, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.");
  }
  const { changes, comment } = parseChanges(req.body);
  const syntax = changes.flatMap((c) => checkRecordSyntax(zone, c));
  if (syntax.length > 0) throw invalidChangeBatch(syntax);
  const limits = checkLimits(changes);
  if (limits.length > 0) throw invalidChangeBatch(limits);
  const result = applyChanges(zone, changes);
  if ("problems" in result) throw invalidChangeBatch(result.problems);
  zone.records = result.records;
  const polls = state.settings.route53.changeInsyncAfterPolls;
  const change = {
    id: "C" + alnumId(13, "change", state.accountId, String(nextCounter(state, "route53Change"))),
    hostedZoneId: zone.id,
    status: polls === 0 ? "INSYNC" : "PENDING",
    submittedAt: now.toISOString(),
    ...comment !== void 0 ? { comment } : {},
    pollsRemaining: polls
  };
  state.route53.changes.push(change);
  ctx.changed();
  return xmlResponse(200, rootElement("ChangeResourceRecordSetsResponse", NS2, changeInfoXml(change)));
}
function getChange(rawId, ctx) {
  const id = rawId.replace(/^\/?change\//, "");
  const change = ctx.state.route53.changes.find((c) => c.id === id);
  if (!change) throw new SandboxError(404, "NoSuchChange", `A change with the specified change ID does not exist: ${id}`);
  if (change.status === "PENDING") {
    refreshChange(change, ctx.state, ctx.now());
    if (change.status === "PENDING") {
      change.pollsRemaining = Math.max(0, change.pollsRemaining - 1);
      if (change.pollsRemaining === 0) change.status = "INSYNC";
    }
    ctx.changed();
  }
  return xmlResponse(200, rootElement("GetChangeResponse", NS2, changeInfoXml(change)));
}
var route53 = {
  name: "route53",
  matches: (req) => req.path.startsWith(PREFIX2),
  operation: operationOf2,
  isMutating: (op) => op === "ChangeResourceRecordSets" || op === "CreateHostedZone" || op === "DeleteHostedZone" || op === "UpdateHostedZoneComment",
  handle(op, req, ctx) {
    const s = segmentsAfterPrefix(req) ?? [];
    switch (op) {
      case "ListHostedZones":
        return listHostedZones(req, ctx.state);
      case "ListHostedZonesByName":
        return listHostedZonesByName(req, ctx.state);
      case "GetHostedZone":
        return getHostedZone(s[1], ctx.state);
      case "GetHostedZoneCount":
        return getHostedZoneCount(ctx.state);
      case "ListResourceRecordSets":
        return listResourceRecordSets(s[1], req, ctx.state);
      case "ChangeResourceRecordSets":
        return changeResourceRecordSets(s[1], req, ctx);
      case "GetChange":
        return getChange(s[1], ctx);
      default:
        throw unsupported("Route 53", req);
    }
  },
  renderError: (err, req) => errorResponse(NS2, err, req),
  throttleError: () => new SandboxError(400, "Throttling", "Rate exceeded"),
  defaultWriteFailure: () => new SandboxError(400, "InvalidInput", "Injected failure (sandbox failNthWrite)")
};

// src/sandbox/services/s3.ts
import { createHash as createHash3 } from "node:crypto";
var NS3 = "http://s3.amazonaws.com/doc/2006-03-01/";
var MUTATING2 = /* @__PURE__ */ new Set(["PutObject", "DeleteObject", "CreateBucket", "DeleteBucket", "CopyObject", "DeleteObjects"]);
function parseTarget(path) {
  const trimmed = path.replace(/^\/+/, "");
  if (trimmed === "") return {};
  const slash = trimmed.indexOf("/");
  const decode = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (slash < 0) return { bucket: decode(trimmed) };
  const key = trimmed.slice(slash + 1);
  return key === "" ? { bucket: decode(trimmed.slice(0, slash)) } : { bucket: decode(trimmed.slice(0, slash)), key: decode(key) };
}
function operationOf3(req) {
  const { bucket, key } = parseTarget(req.path);
  const q = req.query;
  if (!bucket) return req.method === "GET" ? "ListBuckets" : "Unknown";
  if (key === void 0) {
    switch (req.method) {
      case "HEAD":
        return "HeadBucket";
      case "GET":
        if (q.get("list-type") === "2") return "ListObjectsV2";
        if (q.has("location")) return "GetBucketLocation";
        return [...q.keys()].filter((k) => k !== "x-id").length === 0 || q.has("prefix") || q.has("marker") ? "ListObjects" : "Unknown";
      case "PUT":
        return [...q.keys()].length === 0 ? "CreateBucket" : "Unknown";
      case "DELETE":
        return [...q.keys()].length === 0 ? "DeleteBucket" : "Unknown";
      case "POST":
        return q.has("delete") ? "DeleteObjects" : "Unknown";
      default:
        return "Unknown";
    }
  }
  const subresource = [...q.keys()].some((k) => ["tagging", "acl", "uploads", "uploadId", "retention", "legal-hold", "attributes"].includes(k));
  if (subresource) return "Unknown";
  switch (req.method) {
    case "HEAD":
      return "HeadObject";
    case "GET":
      return "GetObject";
    case "PUT":
      return req.headers["x-amz-copy-source"] ? "CopyObject" : "PutObject";
    case "DELETE":
      return "DeleteObject";
    default:
      return "Unknown";
  }
}
function header(req, name) {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
function noSuchBucket(bucket) {
  return new SandboxError(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
}
function getBucket(state, name) {
  const b = state.s3.buckets[name];
  if (!b) throw noSuchBucket(name);
  return b;
}
function decodeAwsChunked(body) {
  const parts = [];
  let pos = 0;
  for (; ; ) {
    const eol = body.indexOf("\r\n", pos);
    if (eol < 0) throw new SandboxError(400, "IncompleteBody", "Malformed aws-chunked body");
    const size = parseInt(body.subarray(pos, eol).toString("latin1").split(";")[0], 16);
    if (!Number.isFinite(size) || size < 0) throw new SandboxError(400, "IncompleteBody", "Malformed aws-chunked body");
    if (size === 0) break;
    const start = eol + 2;
    parts.push(body.subarray(start, start + size));
    pos = start + size + 2;
  }
  return Buffer.concat(parts);
}
function isChunked(req) {
  const enc = header(req, "content-encoding") ?? "";
  const sha = header(req, "x-amz-content-sha256") ?? "";
  return enc.split(",").map((s) => s.trim()).includes("aws-chunked") || sha.startsWith("STREAMING-");
}
function objectHeaders(obj, size) {
  const h = {
    "content-type": obj.contentType,
    "content-length": String(size),
    etag: obj.etag,
    "last-modified": new Date(obj.lastModified).toUTCString(),
    "accept-ranges": "bytes"
  };
  if (obj.cacheControl !== void 0) h["cache-control"] = obj.cacheControl;
  if (obj.contentEncoding !== void 0) h["content-encoding"] = obj.contentEncoding;
  for (const [k, v] of Object.entries(obj.metadata ?? {})) h[`x-amz-meta-${k}`] = v;
  return h;
}
function headBucket(bucket, state) {
  const b = getBucket(state, bucket);
  return { status: 200, headers: { "x-amz-bucket-region": b.region } };
}
function getObject(bucket, key, req, state, head) {
  const b = getBucket(state, bucket);
  const obj = b.objects[key];
  if (!obj) throw new SandboxError(404, "NoSuchKey", "The specified key does not exist.", { Key: key });
  const bytes = Buffer.from(obj.body, "base64");
  const ifNoneMatch = header(req, "if-none-match");
  if (ifNoneMatch !== void 0 && (ifNoneMatch === "*" || ifNoneMatch.split(",").map((s) => s.trim()).includes(obj.etag))) {
    return { status: 304, headers: { etag: obj.etag } };
  }
  const ifMatch = header(req, "if-match");
  if (ifMatch !== void 0 && ifMatch !== "*" && !ifMatch.split(",").map((s) => s.trim()).includes(obj.etag)) {
    throw new SandboxError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: "If-Match" });
  }
  const headers = objectHeaders(obj, bytes.length);
  return head ? { status: 200, headers } : { status: 200, headers, body: bytes };
}
function putObject(bucket, key, req, ctx) {
  const b = getBucket(ctx.state, bucket);
  if (Buffer.byteLength(key, "utf8") > 1024) throw new SandboxError(400, "KeyTooLongError", "Your key is too long");
  const bytes = isChunked(req) ? decodeAwsChunked(req.body) : req.body;
  const md5 = header(req, "content-md5");
  if (md5 !== void 0 && createHash3("md5").update(bytes).digest("base64") !== md5) {
    throw new SandboxError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
  const ifNoneMatch = header(req, "if-none-match");
  if (ifNoneMatch === "*" && b.objects[key]) {
    throw new SandboxError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: "If-None-Match" });
  }
  const metadata = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-amz-meta-") && value !== void 0) metadata[name.slice("x-amz-meta-".length)] = Array.isArray(value) ? value.join(",") : value;
  }
  const encoding = (header(req, "content-encoding") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "" && s !== "aws-chunked").join(", ");
  const obj = {
    body: bytes.toString("base64"),
    contentType: header(req, "content-type") ?? "binary/octet-stream",
    etag: md5Etag(bytes),
    lastModified: ctx.now().toISOString()
  };
  const cacheControl = header(req, "cache-control");
  if (cacheControl !== void 0) obj.cacheControl = cacheControl;
  if (encoding !== "") obj.contentEncoding = encoding;
  if (Object.keys(metadata).length > 0) obj.metadata = metadata;
  b.objects[key] = obj;
  ctx.changed();
  return { status: 200, headers: { etag: obj.etag } };
}
function deleteObject(bucket, key, ctx) {
  const b = getBucket(ctx.state, bucket);
  if (b.objects[key]) {
    delete b.objects[key];
    ctx.changed();
  }
  return { status: 204 };
}
function listObjectsV2(bucket, req, state) {
  const b = getBucket(state, bucket);
  const q = req.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const startAfter = q.get("start-after") ?? "";
  const token = q.get("continuation-token");
  const maxKeysRaw = q.get("max-keys");
  const maxKeys = maxKeysRaw === null ? 1e3 : Number(maxKeysRaw);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new SandboxError(400, "InvalidArgument", "Provided max-keys not an integer or within integer range", { ArgumentName: "max-keys" });
  let after = startAfter;
  if (token !== null) {
    const decoded = Buffer.from(token, "base64").toString("utf8");
    if (!decoded.startsWith("sandbox:")) throw new SandboxError(400, "InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
    after = decoded.slice("sandbox:".length);
  }
  const keys = Object.keys(b.objects).filter((k) => k.startsWith(prefix) && k > after).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const entries = [];
  const seenPrefixes = /* @__PURE__ */ new Set();
  for (const k of keys) {
    if (delimiter) {
      const idx = k.indexOf(delimiter, prefix.length);
      if (idx >= 0) {
        const p = k.slice(0, idx + delimiter.length);
        if (!seenPrefixes.has(p)) {
          seenPrefixes.add(p);
          entries.push({ key: k, prefix: p });
        }
        continue;
      }
    }
    entries.push({ key: k });
  }
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const last = page[page.length - 1];
  const nextAfter = last === void 0 ? "" : last.prefix !== void 0 ? keys.filter((k) => k.startsWith(last.prefix ?? "")).pop() ?? last.key : last.key;
  const body = elAttrs(
    "ListBucketResult",
    { xmlns: NS3 },
    el("Name", bucket),
    el("Prefix", prefix),
    delimiter !== "" && el("Delimiter", delimiter),
    el("MaxKeys", maxKeys),
    el("KeyCount", page.length),
    el("IsTruncated", truncated),
    opt("ContinuationToken", token ?? void 0),
    truncated && el("NextContinuationToken", Buffer.from(`sandbox:${nextAfter}`).toString("base64")),
    startAfter !== "" && el("StartAfter", startAfter),
    page.filter((e) => e.prefix === void 0).map((e) => {
      const o = b.objects[e.key];
      return el(
        "Contents",
        el("Key", e.key),
        el("LastModified", new Date(o.lastModified)),
        el("ETag", o.etag),
        el("Size", Buffer.from(o.body, "base64").length),
        el("StorageClass", "STANDARD")
      );
    }),
    page.filter((e) => e.prefix !== void 0).map((e) => el("CommonPrefixes", el("Prefix", e.prefix ?? "")))
  );
  return { status: 200, headers: { "content-type": "application/xml" }, body: renderXml(body) };
}
var s3 = {
  name: "s3",
  requestIdHeader: "x-amz-request-id",
  // Anything unsigned that is not another service's URL shape is treated as S3.
  matches: (req) => !req.path.startsWith("/2013-04-01/") && !req.path.startsWith("/2020-05-31/") && req.headers["x-amz-target"] === void 0,
  operation: operationOf3,
  isMutating: (op) => MUTATING2.has(op),
  handle(op, req, ctx) {
    const { bucket, key } = parseTarget(req.path);
    switch (op) {
      case "HeadBucket":
        return headBucket(bucket ?? "", ctx.state);
      case "ListObjectsV2":
        return listObjectsV2(bucket ?? "", req, ctx.state);
      case "HeadObject":
        return getObject(bucket ?? "", key ?? "", req, ctx.state, true);
      case "GetObject":
        return getObject(bucket ?? "", key ?? "", req, ctx.state, false);
      case "PutObject":
        return putObject(bucket ?? "", key ?? "", req, ctx);
      case "DeleteObject":
        return deleteObject(bucket ?? "", key ?? "", ctx);
      default:
        throw new SandboxError(501, "NotImplemented", `The Charter sandbox does not implement this S3 request (${op}): ${req.method} ${req.path}`);
    }
  },
  renderError(err, req) {
    const hostId = Buffer.from(hexId(48, "host", req.requestId), "hex").toString("base64");
    const headers = {
      "content-type": "application/xml",
      "x-amz-request-id": req.requestId,
      "x-amz-id-2": hostId
    };
    if (req.method === "HEAD") return { status: err.status, headers };
    const body = el(
      "Error",
      el("Code", err.code),
      el("Message", err.message),
      Object.entries(err.fields).map(([k, v]) => el(k, v)),
      el("RequestId", req.requestId),
      el("HostId", hostId)
    );
    return { status: err.status, headers, body: renderXml(body) };
  },
  throttleError: () => new SandboxError(503, "SlowDown", "Please reduce your request rate."),
  defaultWriteFailure: () => new SandboxError(403, "AccessDenied", "Access Denied (injected failure: sandbox failNthWrite)")
};

// src/sandbox/services/index.ts
var SERVICES = [route53, acm, cloudfront, s3];

// src/sandbox/server.ts
var MAX_BODY = 64 * 1024 * 1024;
function credentialScope(req, query) {
  const auth = req.headers.authorization;
  const credential = (typeof auth === "string" ? /Credential=([^,\s]+)/.exec(auth)?.[1] : void 0) ?? query.get("X-Amz-Credential") ?? void 0;
  if (!credential) return void 0;
  const parts = credential.split("/");
  if (parts.length < 5) return void 0;
  return { region: parts[parts.length - 3], service: parts[parts.length - 2] };
}
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new SandboxError(413, "RequestEntityTooLarge", "Request body too large for the sandbox"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
function send(res, method, r) {
  const body = r.body === void 0 ? Buffer.alloc(0) : typeof r.body === "string" ? Buffer.from(r.body, "utf8") : r.body;
  const headers = { ...r.headers ?? {} };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === "content-length");
  if (!hasLength) headers["content-length"] = String(body.length);
  res.writeHead(r.status, headers);
  if (method === "HEAD" || r.status === 204 || r.status === 304) res.end();
  else res.end(body);
}
function sendJson(res, status, value) {
  const body = typeof value === "string" ? value : JSON.stringify(value, null, 2) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
var SandboxServer = class {
  constructor(deps) {
    this.deps = deps;
    this.services = deps.services ?? SERVICES;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e) => {
        if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5e3;
  }
  deps;
  server;
  services;
  listen(port) {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        const addr = this.server.address();
        resolve(`http://127.0.0.1:${addr.port}`);
      });
    });
  }
  close() {
    return new Promise((resolve, reject) => {
      this.server.close((err) => err ? reject(err) : resolve());
      this.server.closeAllConnections();
    });
  }
  /** By SigV4 signing name when signed; by URL shape only for unsigned requests. */
  identify(sreq, scope) {
    if (scope) return this.services.find((s) => s.name === scope.service);
    return this.services.find((s) => s.matches(sreq));
  }
  async route(req, res) {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    if (url.pathname === "/_sandbox" || url.pathname.startsWith("/_sandbox/")) {
      await this.control(req, res, url);
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    const requestId = randomUUID();
    const scope = credentialScope(req, url.searchParams);
    let body;
    try {
      body = await readBody(req);
    } catch (e) {
      sendJson(res, 413, { error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const rawPath = (req.url ?? "/").split("?")[0] || "/";
    const sreq = {
      method,
      path: rawPath,
      query: url.searchParams,
      headers: req.headers,
      body,
      region: scope?.region ?? "us-east-1",
      requestId
    };
    const service = this.identify(sreq, scope);
    if (!service) {
      const supported = this.services.map((s) => s.name).join(", ");
      const message = scope ? `The Charter sandbox does not simulate the AWS service '${scope.service}' (supported: ${supported}).` : `The Charter sandbox cannot tell which AWS service this request is for (${method} ${rawPath}); supported: ${supported}.`;
      sendJson(res, 400, { __type: "UnsupportedService", message, error: message });
      return;
    }
    const operation = service.operation(sreq);
    this.deps.stats.record(service.name, operation);
    const { faults } = this.deps;
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    let response;
    let dirty = false;
    const state = this.deps.getState();
    const ctx = {
      state,
      now: () => /* @__PURE__ */ new Date(),
      changed: () => {
        dirty = true;
      }
    };
    try {
      if (faults.takeThrottle(service.name, operation)) throw service.throttleError();
      if (service.isMutating(operation)) {
        const injected = faults.takeWriteFailure(service.name);
        if (injected === null) throw service.defaultWriteFailure();
        if (injected !== void 0) throw new SandboxError(injected.status ?? 400, injected.code, injected.message);
      }
      response = await service.handle(operation, sreq, ctx);
    } catch (e) {
      const err = e instanceof SandboxError ? e : new SandboxError(500, "InternalFailure", `Sandbox internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      response = service.renderError(err, sreq);
    }
    const headers = { ...response.headers ?? {} };
    headers[service.requestIdHeader ?? "x-amzn-requestid"] ??= requestId;
    if (dirty) await this.deps.onChanged();
    send(res, method, { ...response, headers });
  }
  async control(req, res, url) {
    const method = (req.method ?? "GET").toUpperCase();
    const { faults, stats } = this.deps;
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/_sandbox/stats") {
      if (method === "GET") return sendJson(res, 200, stats.toJSON());
      if (method === "DELETE") {
        stats.reset();
        return sendJson(res, 200, stats.toJSON());
      }
    } else if (path === "/_sandbox/faults") {
      if (method === "GET") return sendJson(res, 200, faults.snapshot());
      if (method === "POST") {
        const raw = (await readBody(req)).toString("utf8");
        try {
          faults.apply(raw.trim() === "" ? {} : JSON.parse(raw));
        } catch (e) {
          return sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
        }
        return sendJson(res, 200, faults.snapshot());
      }
      if (method === "DELETE") {
        faults.reset();
        return sendJson(res, 200, faults.snapshot());
      }
    } else if (path === "/_sandbox/state") {
      if (method === "GET") return sendJson(res, 200, serializeState(this.deps.getState()));
    } else if (path === "/_sandbox" || path === "/_sandbox/health") {
      if (method === "GET") return sendJson(res, 200, { ok: true, services: this.services.map((s) => s.name) });
    } else {
      return sendJson(res, 404, { error: `unknown control endpoint ${url.pathname} (try /_sandbox/stats, /_sandbox/faults, /_sandbox/state)` });
    }
    sendJson(res, 405, { error: `method ${method} not allowed on ${url.pathname}` });
  }
};

// src/sandbox/stats.ts
var StatsRecorder = class {
  counts = /* @__PURE__ */ new Map();
  record(service, operation) {
    const key = `${service}:${operation}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { service, operation, count: 1 });
  }
  calls() {
    return [...this.counts.values()].map((e) => ({ ...e })).sort((a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
  }
  count(service, operation) {
    let total = 0;
    for (const e of this.counts.values()) {
      if (service !== void 0 && e.service !== service) continue;
      if (operation !== void 0 && e.operation !== operation) continue;
      total += e.count;
    }
    return total;
  }
  reset() {
    this.counts.clear();
  }
  toJSON() {
    return { total: this.count(), calls: this.calls() };
  }
};

// src/sandbox/index.ts
async function exists(file) {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
async function startSandbox(opts = {}) {
  if (opts.persist && !opts.stateFile) throw new TypeError("startSandbox: persist requires stateFile");
  let state;
  if (opts.state !== void 0) state = normalizeState(opts.state, "options.state");
  else if (opts.stateFile !== void 0 && await exists(opts.stateFile)) state = await loadSandboxState(opts.stateFile);
  else state = emptyState();
  const faults = new Faults();
  const stats = new StatsRecorder();
  let writing = Promise.resolve();
  const save = (file) => {
    const target2 = file ?? opts.stateFile;
    if (!target2) return Promise.reject(new TypeError("save: no file given and the sandbox has no stateFile"));
    const next = writing.then(() => writeStateFile(target2, sandbox.state));
    writing = next.catch(() => void 0);
    return next;
  };
  const server = new SandboxServer({
    getState: () => sandbox.state,
    faults,
    stats,
    onChanged: () => opts.persist ? save() : Promise.resolve()
  });
  const endpoint = await server.listen(opts.port ?? 0);
  const sandbox = {
    endpoint,
    state,
    faults,
    stats,
    save,
    close: async () => {
      await server.close();
      await writing;
    }
  };
  return sandbox;
}
function sandboxClientConfig(endpoint, region = "us-east-1") {
  return { endpoint, region, credentials: { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox" }, forcePathStyle: true };
}
export {
  SandboxError,
  SandboxStateError,
  canonicalName,
  encodeTxtValue,
  formatName,
  loadSandboxState,
  normalizeState,
  parseTxtValue,
  sandboxClientConfig,
  startSandbox
};
