/**
 * Helpers shared by the REST-XML services.
 */
import { SandboxError } from '../errors.js';
import { el, elAttrs, renderXml, type XmlContent, type XmlElement } from '../xml.js';
import type { ServiceRequest, ServiceResponse } from './types.js';

export function xmlResponse(status: number, root: XmlElement, headers: Record<string, string> = {}): ServiceResponse {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body: renderXml(root) };
}

export function rootElement(name: string, namespace: string, ...children: XmlContent[]): XmlElement {
  return elAttrs(name, { xmlns: namespace }, ...children);
}

/** The `<ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>` body used by Route 53 and CloudFront. */
export function errorResponse(namespace: string, err: SandboxError, req: ServiceRequest): ServiceResponse {
  const body = rootElement(
    'ErrorResponse',
    namespace,
    el('Error', el('Type', err.status >= 500 ? 'Receiver' : 'Sender'), el('Code', err.code), el('Message', err.message)),
    el('RequestId', req.requestId),
  );
  return xmlResponse(err.status, body, { 'x-amzn-requestid': req.requestId });
}

/** Path segments, percent-decoded. */
export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** Parse an optional positive integer query parameter. */
export function intParam(req: ServiceRequest, name: string, error: (msg: string) => SandboxError): number | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw error(`Invalid value for ${name}: ${raw}`);
  return Number(raw);
}

export function unsupported(service: string, req: ServiceRequest): SandboxError {
  return new SandboxError(400, 'UnsupportedOperation', `The Charter sandbox does not implement this ${service} request: ${req.method} ${req.path}`);
}
