/**
 * Registered services. To add one, write services/<name>.ts exporting a ServiceHandler (its handlers and,
 * when it keeps state, its StateSection) and list it here: nothing else in the sandbox changes.
 */
import { acm } from './acm.js';
import { cloudfront } from './cloudfront.js';
import { codeartifact } from './codeartifact.js';
import { codebuild } from './codebuild.js';
import { codepipeline } from './codepipeline.js';
import { redshiftData } from './redshift-data.js';
import { route53 } from './route53.js';
import { s3 } from './s3.js';
import { shieldService } from './shield.js';
import { sts } from './sts.js';
import type { ServiceHandler } from './types.js';

/** Also the order of the sections in a saved state file. */
export const SERVICES: readonly ServiceHandler[] = [route53, acm, s3, cloudfront, shieldService, redshiftData, codepipeline, codebuild, codeartifact, sts];

export type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
