/**
 * `npm run docs:config`: render the settings (src/config/settings.ts) into README.md's configuration table
 * and into .env.example. A test fails when either is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { configTable, envExample, replaceBetweenMarkers } from '../src/config/docs.ts';

const readme = await readFile('README.md', 'utf8');
await writeFile('README.md', replaceBetweenMarkers(readme, configTable()));
await writeFile('.env.example', envExample());
console.log('README.md configuration table and .env.example written');
