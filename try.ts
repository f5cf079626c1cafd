import { readFileSync, readdirSync } from 'node:fs';
import { parseMail } from './src/inbound/parse.ts';
import { messageText, newText } from './src/inbound/reply-text.ts';
import { splitBlocks } from './src/inbound/sections.ts';
for (const f of readdirSync('test/inbound/fixtures')) {
  const p = await parseMail(readFileSync(`test/inbound/fixtures/${f}`));
  const t = newText(messageText(p));
  console.log('=====', f, JSON.stringify(t));
  console.log(JSON.stringify(splitBlocks(t)));
}
