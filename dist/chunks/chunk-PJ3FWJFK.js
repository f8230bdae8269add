import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as o}from"./chunk-J5CEGH6U.js";var l=o(e=>new Promise(t=>setTimeout(t,e)),"sleep");async function s(e,t,n,a,i={}){let m=i.deadline??Date.now()+n.waitTimeoutMs,r="first"in i?i.first:await e();for(;;){if(t(r))return r;if(Date.now()>m)throw a(r);await l(n.pollIntervalMs),r=await e()}}o(s,"pollUntil");function u(e,t,n){let a=Math.max(t.pollIntervalMs,1)/1e3,i=(n??Date.now()+t.waitTimeoutMs)-Date.now();return{client:e,minDelay:a,maxDelay:a*4,maxWaitTime:Math.max(i/1e3,a*2)}}o(u,"waiterSettings");export{l as a,s as b,u as c};
//# sourceMappingURL=chunk-PJ3FWJFK.js.map
