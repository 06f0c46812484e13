/** Random strings for the TabSeparated fuzz tests (unit and against ClickHouse). */
const PIECES = [
  '\t', '\n', '\r', '\r\n', '\\', '\\\\', '\\t', '\\n', '\\N', '\\0', '\\x41', '\u0000', '\b', '\f', '\u001b', '\u007f',
  "'", '"', '`', '{"a":"b\\"c"}', ',', ';', 'é', 'Ж', '中文', '👋', '👨‍👩‍👧', 'e\u0301', '\u2028', '\ufeff', '\uffff', '\u{10ffff}', ' ', 'a', '0',
];

/** Made of the pieces TabSeparated cares about (and those it must leave alone), other code points and control bytes; no lone surrogates. */
export function randomTsvString(random: () => number): string {
  const parts = Math.floor(random() * 10);
  let out = '';
  for (let i = 0; i < parts; i++) {
    const r = random();
    if (r < 0.6) out += PIECES[Math.floor(random() * PIECES.length)] ?? '';
    else if (r < 0.8) {
      let code = Math.floor(random() * 0xffff);
      if (code >= 0xd800 && code <= 0xdfff) code -= 0x800;
      out += String.fromCodePoint(code);
    } else if (r < 0.9) out += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
    else out += String.fromCodePoint(Math.floor(random() * 0x20));
  }
  return out;
}
