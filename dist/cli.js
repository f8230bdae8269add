#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as h,f as S,g as k,h as R,i as y,j as N,k as P,o as u}from"./chunks/chunk-KYBUVOFY.js";import{d as b,e as w,g as x}from"./chunks/chunk-EWYFTKVA.js";import"./chunks/chunk-7V5DGULS.js";import"./chunks/chunk-YGPMZP3I.js";import{a as d}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as E,writeFile as I}from"node:fs/promises";import{parseArgs as O}from"node:util";var a={ok:0,failure:1,changes:2},C={out:d(r=>process.stdout.write(r.endsWith(`
`)?r:`${r}
`),"out"),err:d(r=>process.stderr.write(r.endsWith(`
`)?r:`${r}
`),"err")};function D(r,t){return{debug:d(e=>{(t||process.env.CHARTER_DEBUG)&&r.err(`debug: ${e}`)},"debug"),info:d(e=>r.err(e),"info"),warn:d(e=>r.err(`warning: ${e}`),"warn")}}d(D,"logger");async function g(r,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!r.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:s}=await import("./chunks/sandbox-VAGV6NJ4.js"),i=await s({stateFile:r.sandbox,persist:!0});try{return await t({endpoint:i.endpoint})}finally{await i.save(),await i.close()}}d(g,"withAws");var $=`Usage: charter <command> [paths...] [options]

Policy-as-code for email security records, package publishing, branch pipelines, Shield protection groups
and Redshift grants. Paths are policy files, directories or globs (default: policies/).

Commands:
  validate [paths...]   check policies against their schemas and rules (no AWS access)
  plan [paths...]       compare policies with live AWS and print the changes apply would make
  apply [paths...]      apply the plan (with --plan, only if it still has the saved fingerprint)
  drift [paths...]      report differences between policies and live AWS (exit 2 when there is drift)
  verify [paths...]     check what the internet sees for EmailSecurity policies: DNS records, MX and the
                        MTA-STS policy and BIMI files over HTTPS (exit 2 when live differs; docs/verify.md)

Options:
  --format <format>          text, markdown or json (default: text)
  --sandbox <file>           use a simulated AWS account kept in this JSON state file (docs/sandbox.md)
  --cwd <dir>                directory policy paths are relative to (default: the current directory)
  --verbose                  print debug logs to stderr
  --out <file>               plan: write the plan as JSON (for apply --plan)
  --detailed-exitcode        plan: exit 2 when there are changes
  --repository <owner/name>  plan: salt the fingerprint like the GitHub Action does
  --pull-request <number>    plan: salt the fingerprint like the GitHub Action does
  --plan <file>              apply: a plan saved by plan --out; refuse when policies or live state changed
  --allow-destructive        apply: allow destructive and disruptive changes
  --dns-server <ip[:port]>   verify: DNS server to ask (repeatable or comma-separated; default: the system's)
  --timeout <ms>             verify: limit for each DNS lookup and HTTPS request (default: 5000)
  -h, --help                 show this help

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).
`,T=["validate","plan","apply","drift","verify"],q={validate:[],plan:["out","detailed-exitcode","repository","pull-request"],apply:["plan","allow-destructive"],drift:[],verify:["dns-server","timeout"]},H=["format","sandbox","cwd","verbose","help"],c=class extends Error{static{d(this,"UsageError")}};function _(r){let{values:t,positionals:e,tokens:s}=O({args:r,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"},"dns-server":{type:"string",multiple:!0},timeout:{type:"string"}}}),[i,...l]=e;if(i!==void 0&&!T.includes(i))throw new c(`unknown command "${i}" (expected ${T.join(", ")})`);let n=i;for(let p of s??[])if(!(p.kind!=="option"||!n)&&!H.includes(p.name)&&!q[n].includes(p.name))throw new c(`option --${p.name} does not apply to ${n}`);let o=t.format??"text";if(o!=="text"&&o!=="markdown"&&o!=="json")throw new c(`--format: expected text, markdown or json, got "${o}"`);let m;if(t["pull-request"]!==void 0&&(m=Number(t["pull-request"]),!Number.isInteger(m)||m<=0))throw new c("--pull-request: expected a pull request number");let f;if(t.timeout!==void 0&&(f=Number(t.timeout),!Number.isInteger(f)||f<=0))throw new c("--timeout: expected a number of milliseconds");let v=t["dns-server"]?.flatMap(p=>p.split(",")).map(p=>p.trim());if(v?.some(p=>p===""))throw new c("--dns-server: expected ip or ip:port");return{command:n,paths:l,options:{format:o,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,out:t.out,detailedExitcode:t["detailed-exitcode"],repository:t.repository,pullRequest:m,plan:t.plan,allowDestructive:t["allow-destructive"],dnsServers:v,timeoutMs:f}}}d(_,"parse");async function F(r,t,e,s){let i=D(s,e.verbose);switch(r){case"validate":{let l=await b({cwd:e.cwd,paths:t,providers:u});return s.out(y(l.diagnostics,e.format)),l.ok?a.ok:a.failure}case"plan":return g(e,async l=>{let{plan:n}=await w({cwd:e.cwd,paths:t,providers:u,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:h(l,i)});return e.out&&await I(e.out,`${JSON.stringify(n,null,2)}
`),s.out(S(n,e.format)),n.summary.errors?a.failure:e.detailedExitcode&&n.summary.total?a.changes:a.ok});case"apply":{let l=e.plan?JSON.parse(await E(e.plan,"utf8")):void 0;return g(e,async n=>{let o=await x({cwd:e.cwd,paths:t,providers:u,salt:l?.salt??{},runtime:h(n,i),allowDestructive:!!e.allowDestructive,expectedFingerprint:l?.fingerprint});return s.out(N(o,e.format)),o.ok?a.ok:a.failure})}case"drift":return g(e,async l=>{let{plan:n}=await w({cwd:e.cwd,paths:t,providers:u,salt:{},runtime:h(l,i)});return s.out(P(n,e.format)),n.summary.errors?a.failure:n.summary.total?a.changes:a.ok});case"verify":{let{verify:l}=await import("./chunks/verify-UKBFQRLF.js"),n=process.env.CHARTER_VERIFY_HTTPS_PORT?Number(process.env.CHARTER_VERIFY_HTTPS_PORT):void 0,o=await l({cwd:e.cwd,paths:t,providers:u,clientOptions:{dnsServers:e.dnsServers,timeoutMs:e.timeoutMs,httpsPort:n}});return i.debug(`verified ${o.verified.length} EmailSecurity policies: ${o.verified.join(", ")}`),s.out(y(o.diagnostics,e.format,o.invalid?k:R)),o.invalid||o.inconclusive?a.failure:o.differs?a.changes:a.ok}}}d(F,"runCommand");async function A(r,t=C){let e;try{e=_(r)}catch(s){return t.err(`charter: ${s.message}
Run charter --help for usage.`),a.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)($),e.options.help?a.ok:a.failure;try{return await F(e.command,e.paths,e.options,t)}catch(s){return t.err(`charter: ${s.message??String(s)}`),a.failure}}d(A,"main");process.exitCode=await A(process.argv.slice(2));
