import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as e}from"./chunk-J5CEGH6U.js";function s(n){return`${n.kind}/${n.name}`}e(s,"policyId");function a(n,t,o,i,c,l){let r=n.position(t);return{code:o,severity:i,message:c,hint:l,file:r.file,line:r.line,column:r.column,policy:s(n)}}e(a,"diagnosticAt");function p(n,t,o){let i=n.position(t);return{kind:n.kind,policy:n.name,file:i.file,line:i.line,column:i.column,...o}}e(p,"changeAt");export{s as a,a as b,p as c};
//# sourceMappingURL=chunk-Q4MGFNH7.js.map
