/**
 * Registered services. To add one (e.g. Shield `AWSShield_20160616.*` or Redshift Data
 * `RedshiftData.*`), write services/<name>.ts exporting a ServiceHandler and list it here.
 */
import { acm } from './acm.js';
import { cloudfront } from './cloudfront.js';
import { redshiftData } from './redshift-data.js';
import { route53 } from './route53.js';
import { s3 } from './s3.js';
import { shieldService } from './shield.js';
import { sts } from './sts.js';
import type { ServiceHandler } from './types.js';

export const SERVICES: readonly ServiceHandler[] = [route53, acm, cloudfront, redshiftData, shieldService, s3, sts];

export type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
