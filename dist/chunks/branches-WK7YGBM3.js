import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a,b,c,d}from"./chunk-WSW7KCSA.js";import"./chunk-UOXZWGHW.js";import"./chunk-RSUZ2JUO.js";import"./chunk-JP5FHQPI.js";import"./chunk-J5CEGH6U.js";export{a as MAX_BRANCHES,c as RepositoryNotAllowedError,d as githubBranchSource,b as listBranches};
//# sourceMappingURL=branches-WK7YGBM3.js.map
