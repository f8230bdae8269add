/**
 * ARNs of the resources Shield Advanced protects: which type an ARN is, and the short name the
 * advice heuristics compare (the load balancer name, the distribution id, ...).
 */
import type { ResourceType } from './spec.generated.js';

export interface MemberInfo {
  arn: string;
  type: ResourceType;
  /** Lower-case name used by the heuristics: load balancer name, distribution id, allocation id, ... */
  name: string;
}

const SHAPES: Array<{ type: ResourceType; re: RegExp }> = [
  { type: 'CLOUDFRONT_DISTRIBUTION', re: /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/([A-Z0-9]{1,32})$/ },
  { type: 'ROUTE_53_HOSTED_ZONE', re: /^arn:aws[a-z-]*:route53:::hostedzone\/([A-Z0-9]{1,32})$/ },
  { type: 'ELASTIC_IP_ALLOCATION', re: /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:eip-allocation\/(eipalloc-[0-9a-f]{1,64})$/ },
  { type: 'APPLICATION_LOAD_BALANCER', re: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/([A-Za-z0-9-]{1,32})\/[0-9a-f]{1,32}$/ },
  { type: 'CLASSIC_LOAD_BALANCER', re: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/([A-Za-z0-9-]{1,32})$/ },
  { type: 'GLOBAL_ACCELERATOR', re: /^arn:aws[a-z-]*:globalaccelerator::\d{12}:accelerator\/([0-9a-f-]{1,64})$/ },
];

/** The resource type and short name of a member ARN, or undefined for an ARN Shield cannot protect. */
export function describeMember(arn: string): MemberInfo | undefined {
  for (const { type, re } of SHAPES) {
    const m = re.exec(arn);
    if (m) return { arn, type, name: m[1].toLowerCase() };
  }
  return undefined;
}

/** The types whose members get faster layer 3/4 mitigation from a group (the seed's note). */
export const L3L4_ACCELERATED: ReadonlySet<ResourceType> = new Set(['ELASTIC_IP_ALLOCATION', 'GLOBAL_ACCELERATOR']);

export const RESOURCE_TYPE_LABEL: Record<ResourceType, string> = {
  CLOUDFRONT_DISTRIBUTION: 'CloudFront distribution',
  ROUTE_53_HOSTED_ZONE: 'Route 53 hosted zone',
  ELASTIC_IP_ALLOCATION: 'Elastic IP',
  CLASSIC_LOAD_BALANCER: 'Classic Load Balancer',
  APPLICATION_LOAD_BALANCER: 'Application Load Balancer',
  GLOBAL_ACCELERATOR: 'Global Accelerator',
};
