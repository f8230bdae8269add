/**
 * A small authoritative DNS server over UDP on 127.0.0.1 (ephemeral port), for the live verify tests.
 * It answers A, AAAA, TXT (several character-strings per record, several records per name) and MX from
 * an in-memory zone; a name not in the zone is NXDOMAIN, a name without the asked type is NODATA.
 * The wire format (RFC 1035 §4) is written here with Buffer: header, question, answers (the owner name
 * is a compression pointer to the question; MX exchanges are written uncompressed).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  /** Each record is its character-strings (each ≤255 octets). */
  TXT?: string[][];
  MX?: { priority: number; exchange: string }[];
  /** Answer this name with SERVFAIL. */
  servfail?: boolean;
}

/** Names without trailing dot, case-insensitive. */
export type Zone = Record<string, ZoneEntry>;

export interface DnsServer {
  /** `127.0.0.1:<port>`, for --dns-server / dnsServers. */
  address: string;
  port: number;
  /** Replace or edit freely between lookups. */
  zone: Zone;
  /** Questions received, as `<name> <TYPE>`. */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: 'A', 28: 'AAAA', 16: 'TXT', 15: 'MX', 5: 'CNAME', 6: 'SOA', 2: 'NS' };
const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4 } as const;
const CLASS_IN = 1;
const TTL = 300;

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  qclass: number;
  /** The question section as received (echoed back). */
  raw: Buffer;
}

function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return undefined;
  let offset = 12;
  const labels: string[] = [];
  for (;;) {
    if (offset >= msg.length) return undefined;
    const len = msg[offset];
    if (len === 0) {
      offset += 1;
      break;
    }
    if (len > 63) return undefined; // no compression in questions
    labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('latin1'));
    offset += 1 + len;
  }
  if (offset + 4 > msg.length) return undefined;
  return { id: msg.readUInt16BE(0), flags: msg.readUInt16BE(2), name: labels.join('.'), type: msg.readUInt16BE(offset), qclass: msg.readUInt16BE(offset + 2), raw: msg.subarray(12, offset + 4) };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.+$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')])), Buffer.from([0])]);
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv6(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function txtRdata(strings: string[]): Buffer {
  return Buffer.concat(
    strings.map((s) => {
      const bytes = Buffer.from(s, 'utf8');
      if (bytes.length > 255) throw new Error(`TXT character-string over 255 octets: ${s.slice(0, 20)}…`);
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
}

function mxRdata(priority: number, exchange: string): Buffer {
  const pref = Buffer.alloc(2);
  pref.writeUInt16BE(priority);
  return Buffer.concat([pref, encodeName(exchange)]);
}

/** One resource record whose owner is the question name (pointer to offset 12). */
function answer(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(TTL, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function rdatas(entry: ZoneEntry, type: number): Buffer[] {
  switch (TYPES[type]) {
    case 'A':
      return (entry.A ?? []).map(ipv4);
    case 'AAAA':
      return (entry.AAAA ?? []).map(ipv6);
    case 'TXT':
      return (entry.TXT ?? []).map(txtRdata);
    case 'MX':
      return (entry.MX ?? []).map((m) => mxRdata(m.priority, m.exchange));
    default:
      return [];
  }
}

function respond(zone: Zone, q: Question): Buffer {
  const entry = Object.entries(zone).find(([name]) => name.toLowerCase().replace(/\.+$/, '') === q.name.toLowerCase())?.[1];
  let rcode: number = RCODE.noError;
  let answers: Buffer[] = [];
  if (q.qclass !== CLASS_IN) rcode = RCODE.notImp;
  else if (!entry) rcode = RCODE.nxDomain;
  else if (entry.servfail) rcode = RCODE.servFail;
  else answers = rdatas(entry, q.type).map((rdata) => answer(q.type, rdata));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  const opcode = q.flags & 0x7800;
  const rd = q.flags & 0x0100;
  // QR, opcode copied, AA, RD copied, RA, rcode.
  header.writeUInt16BE(0x8000 | opcode | 0x0400 | rd | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, q.raw, ...answers]);
}

function formErr(msg: Buffer): Buffer {
  const header = Buffer.alloc(12);
  if (msg.length >= 2) header.writeUInt16BE(msg.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | RCODE.formErr, 2);
  return header;
}

/**
 * Starts the server. With `silent: true` it receives queries and never answers (for timeout tests).
 */
export async function startDnsServer(zone: Zone = {}, options: { silent?: boolean } = {}): Promise<DnsServer> {
  const socket: Socket = createSocket('udp4');
  const server: DnsServer = {
    address: '',
    port: 0,
    zone,
    queries: [],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const q = parseQuestion(msg);
    if (q) server.queries.push(`${q.name} ${TYPES[q.type] ?? q.type}`);
    if (options.silent) return;
    const reply = q ? respond(server.zone, q) : formErr(msg);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  server.port = socket.address().port;
  server.address = `127.0.0.1:${server.port}`;
  return server;
}
