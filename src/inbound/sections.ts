// A reply's blocks: a line such as "Section 3:", "Secțiunea 3:" (or "Sectiunea 3:"), "Artikel 3:"
// or "Sectie 3:" starts a block for that section, the rest of the line being its first words;
// text before any such line is a block for the whole draft (section null). What a section names
// (a key such as "s2", or a 1-based position) is resolved by the command, not here.

/** The most blocks a reply is split into (the command's bound): a reply with more stays one block. */
export const MAX_BLOCKS = 100;
const MAX_LABEL = 200;

const SECTION_LINE = /^\s*(?:section|sec[țţt]iunea|artikel|sectie)\s+([^\s:]{1,200})\s*:\s*(.*)$/iu;

export interface Block {
  section: string | null;
  text: string;
}

function tidy(lines: readonly string[]): string {
  return lines.join('\n').replace(/^\s*\n/, '').trimEnd();
}

/** The blocks of a reply's new text, in order; [] when there is no text at all. */
export function splitBlocks(text: string): Block[] {
  const blocks: { section: string | null; lines: string[] }[] = [{ section: null, lines: [] }];
  for (const line of text.split('\n')) {
    const m = SECTION_LINE.exec(line);
    if (m && m[1]!.length <= MAX_LABEL) blocks.push({ section: m[1]!, lines: m[2]!.trim() === '' ? [] : [m[2]!.trim()] });
    else blocks[blocks.length - 1]!.lines.push(line);
  }
  const [head, ...sections] = blocks.map((b) => ({ section: b.section, text: tidy(b.lines) }));
  const all = head!.text === '' ? sections : [head!, ...sections];
  if (all.length > MAX_BLOCKS) return [{ section: null, text: text.trim() }];
  return all;
}
