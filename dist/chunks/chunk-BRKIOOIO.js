import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a}from"./chunk-7UYMMDKJ.js";var s=a(e=>new Promise(i=>setTimeout(i,e)),"sleep");async function m(e,i,n,o,r={}){let l=r.deadline??Date.now()+n.waitTimeoutMs,t="first"in r?r.first:await e();for(;;){if(i(t))return t;if(Date.now()>l)throw o(t);await s(n.pollIntervalMs),t=await e()}}a(m,"pollUntil");export{s as a,m as b};
