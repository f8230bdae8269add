import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{b as a,c as b}from"./chunk-WDLOSHVV.js";import"./chunk-7UIMWODQ.js";import"./chunk-JP5FHQPI.js";import"./chunk-J5CEGH6U.js";export{a as context,b as getOctokit};
//# sourceMappingURL=github-POGVUG3Q.js.map
