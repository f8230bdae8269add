import { run } from 'probot';
import app from './index.js';

await run(app);
