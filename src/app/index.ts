/** The Probot application: `export default (app) => …`, configured from the environment (src/app/config.ts). */
import type { ApplicationFunction } from 'probot';
import { createCharterApp } from './app.js';
import { readAppConfig } from './config.js';

const charter: ApplicationFunction = (app, options) => createCharterApp(readAppConfig(process.env))(app, options);

export default charter;
