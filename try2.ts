import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { messageText } from './src/inbound/reply-text.ts';
const p = await simpleParser(readFileSync(`test/inbound/fixtures/outlook-ro.eml`));
console.log(JSON.stringify(p.html).slice(0, 600));
console.log(JSON.stringify(p.text));
console.log(messageText(p));
