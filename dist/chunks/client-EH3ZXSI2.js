import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{h as a,i as b,j as c,k as d,l as e,m as f}from"./chunk-5QFFEJFS.js";import"./chunk-7UYMMDKJ.js";export{b as PER_PAGE,a as createGitHub,f as httpStatus,d as pageOf,e as pages,c as parseLinkHeader};
