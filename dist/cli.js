#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as w,f as S,g as k,h as P,i as y,j as R,k as N,o as u}from"./chunks/chunk-GK44PSKM.js";import{c as b,d as h,f as x}from"./chunks/chunk-IN6UNDJA.js";import"./chunks/chunk-QEOGAMMO.js";import"./chunks/chunk-YGPMZP3I.js";import"./chunks/chunk-NTZONSCY.js";import{a as d}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as E,writeFile as I}from"node:fs/promises";import{parseArgs as O}from"node:util";var o={ok:0,failure:1,changes:2},C={out:d(r=>process.stdout.write(r.endsWith(`
`)?r:`${r}
`),"out"),err:d(r=>process.stderr.write(r.endsWith(`
`)?r:`${r}
`),"err")};function $(r,t){return{debug:d(e=>{(t||process.env.CHARTER_DEBUG)&&r.err(`debug: ${e}`)},"debug"),info:d(e=>r.err(e),"info"),warn:d(e=>r.err(`warning: ${e}`),"warn")}}d($,"logger");async function v(r,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!r.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:s}=await import("./chunks/sandbox-F3JN354G.js"),i=await s({stateFile:r.sandbox,persist:!0});try{return await t({endpoint:i.endpoint})}finally{await i.save(),await i.close()}}d(v,"withAws");var D=`Usage: charter <command> [paths...] [options]

Policy-as-code for the AWS things teams still wire by hand. Policy kinds: ${u.map(r=>r.kind).join(", ")}.
Paths are policy files, directories or globs (default: policies/).

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
`,T=["validate","plan","apply","drift","verify"],q={validate:[],plan:["out","detailed-exitcode","repository","pull-request"],apply:["plan","allow-destructive"],drift:[],verify:["dns-server","timeout"]},H=["format","sandbox","cwd","verbose","help"],c=class extends Error{static{d(this,"UsageError")}};function _(r){let{values:t,positionals:e,tokens:s}=O({args:r,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"},"dns-server":{type:"string",multiple:!0},timeout:{type:"string"}}}),[i,...l]=e;if(i!==void 0&&!T.includes(i))throw new c(`unknown command "${i}" (expected ${T.join(", ")})`);let n=i;for(let p of s??[])if(!(p.kind!=="option"||!n)&&!H.includes(p.name)&&!q[n].includes(p.name))throw new c(`option --${p.name} does not apply to ${n}`);let a=t.format??"text";if(a!=="text"&&a!=="markdown"&&a!=="json")throw new c(`--format: expected text, markdown or json, got "${a}"`);let m;if(t["pull-request"]!==void 0&&(m=Number(t["pull-request"]),!Number.isInteger(m)||m<=0))throw new c("--pull-request: expected a pull request number");let f;if(t.timeout!==void 0&&(f=Number(t.timeout),!Number.isInteger(f)||f<=0))throw new c("--timeout: expected a number of milliseconds");let g=t["dns-server"]?.flatMap(p=>p.split(",")).map(p=>p.trim());if(g?.some(p=>p===""))throw new c("--dns-server: expected ip or ip:port");return{command:n,paths:l,options:{format:a,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,out:t.out,detailedExitcode:t["detailed-exitcode"],repository:t.repository,pullRequest:m,plan:t.plan,allowDestructive:t["allow-destructive"],dnsServers:g,timeoutMs:f}}}d(_,"parse");async function W(r,t,e,s){let i=$(s,e.verbose);switch(r){case"validate":{let l=await b({cwd:e.cwd,paths:t,providers:u});return s.out(y(l.diagnostics,e.format)),l.ok?o.ok:o.failure}case"plan":return v(e,async l=>{let{plan:n}=await h({cwd:e.cwd,paths:t,providers:u,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:w(l,i)});return e.out&&await I(e.out,`${JSON.stringify(n,null,2)}
`),s.out(S(n,e.format)),n.summary.errors?o.failure:e.detailedExitcode&&n.summary.total?o.changes:o.ok});case"apply":{let l=e.plan?JSON.parse(await E(e.plan,"utf8")):void 0;return v(e,async n=>{let a=await x({cwd:e.cwd,paths:t,providers:u,salt:l?.salt??{},runtime:w(n,i),allowDestructive:!!e.allowDestructive,expectedFingerprint:l?.fingerprint});return s.out(R(a,e.format)),a.ok?o.ok:o.failure})}case"drift":return v(e,async l=>{let{plan:n}=await h({cwd:e.cwd,paths:t,providers:u,salt:{},runtime:w(l,i)});return s.out(N(n,e.format)),n.summary.errors?o.failure:n.summary.total?o.changes:o.ok});case"verify":{let{verify:l}=await import("./chunks/verify-3K72JDPN.js"),n=process.env.CHARTER_VERIFY_HTTPS_PORT?Number(process.env.CHARTER_VERIFY_HTTPS_PORT):void 0,a=await l({cwd:e.cwd,paths:t,providers:u,clientOptions:{dnsServers:e.dnsServers,timeoutMs:e.timeoutMs,httpsPort:n}});return i.debug(`verified ${a.verified.length} EmailSecurity policies: ${a.verified.join(", ")}`),s.out(y(a.diagnostics,e.format,a.invalid?k:P)),a.invalid||a.inconclusive?o.failure:a.differs?o.changes:o.ok}}}d(W,"runCommand");async function A(r,t=C){let e;try{e=_(r)}catch(s){return t.err(`charter: ${s.message}
Run charter --help for usage.`),o.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)(D),e.options.help?o.ok:o.failure;try{return await W(e.command,e.paths,e.options,t)}catch(s){return t.err(`charter: ${s.message??String(s)}`),o.failure}}d(A,"main");process.exitCode=await A(process.argv.slice(2));
