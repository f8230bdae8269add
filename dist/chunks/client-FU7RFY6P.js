import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{h as a,i as b,j as c,k as d,l as e,m as f}from"./chunk-HAXYDWOC.js";import"./chunk-J5CEGH6U.js";export{b as PER_PAGE,a as createGitHub,f as httpStatus,d as pageOf,e as pages,c as parseLinkHeader};
//# sourceMappingURL=client-FU7RFY6P.js.map
