import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{b as a,c as b,d as c,e as d,f as e,g as f,h as g,i as h}from"./chunk-UOXZWGHW.js";import"./chunk-RSUZ2JUO.js";import"./chunk-JP5FHQPI.js";import"./chunk-J5CEGH6U.js";export{a as DO_NOT_RETRY,b as MAX_RATE_LIMIT_WAIT_S,f as PER_PAGE,d as RESILIENCE_PLUGINS,e as createGitHub,h as httpStatus,g as lastPage,c as resilienceOptions};
//# sourceMappingURL=client-GXFD6EYG.js.map
