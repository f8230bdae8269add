import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-MX426X4V.js";import"./chunk-5QFFEJFS.js";import"./chunk-7UYMMDKJ.js";export{a as MAX_BRANCHES,c as RepositoryNotAllowedError,d as githubBranchSource,b as listBranches};
