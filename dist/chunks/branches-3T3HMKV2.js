import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a,b,c,d}from"./chunk-2TBKE52X.js";import"./chunk-HAXYDWOC.js";import"./chunk-J5CEGH6U.js";export{a as MAX_BRANCHES,c as RepositoryNotAllowedError,d as githubBranchSource,b as listBranches};
//# sourceMappingURL=branches-3T3HMKV2.js.map
