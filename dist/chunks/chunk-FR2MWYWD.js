import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as t}from"./chunk-7UYMMDKJ.js";function g(n){return`${n.kind}/${n.name}`}t(g,"policyId");function p(n,e,o,r,s,c){let i=n.position(e);return{code:o,severity:r,message:s,hint:c,file:i.file,line:i.line,column:i.column,policy:g(n)}}t(p,"diagnosticAt");export{g as a,p as b};
