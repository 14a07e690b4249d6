/**
 * A 1-based line and column in a policy file.
 *
 * @example
 * const at: SourcePosition = new SourceIndex(text).positionOf(['allow', 'keystored']);
 */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

const KEY_SEPARATOR = '\u0000';
const BARE_KEY = /[A-Za-z0-9_-]/;

/**
 * Where the tables, keys and string values of a TOML policy file are, found in one pass over text
 * that smol-toml already accepted, so compile errors and rules can point at a line and column
 * without re-scanning the file per key. Paths are the raw (un-normalized) keys, as the parser returns
 * them, plus the index of a string inside an array.
 *
 * @example
 * const index = new SourceIndex('[allow]\nkeystored = ["crypto.sign"]\n');
 * index.positionOf(['allow', 'keystored', 0]); // { line: 2, column: 14 }
 */
export class SourceIndex {
  readonly #text: string;
  readonly #lineStarts: number[] = [0];
  readonly #offsets = new Map<string, number>();
  #at = 0;

  constructor(text: string) {
    this.#text = text;
    for (let at = 0; at < text.length; at++) if (text.charCodeAt(at) === 0x0a) this.#lineStarts.push(at + 1);
    this.#scanDocument();
  }

  /** The offset of a table, key or array element, falling back to the nearest enclosing one found. */
  offsetOf(path: readonly (string | number)[]): number | undefined {
    for (let length = path.length; length > 0; length--) {
      const offset = this.#offsets.get(path.slice(0, length).join(KEY_SEPARATOR));
      if (offset !== undefined) return offset;
    }
    return undefined;
  }

  /** Like `offsetOf`, as a 1-based line and column (1:1 when nothing of the path was found). */
  positionOf(path: readonly (string | number)[]): SourcePosition {
    const offset = this.offsetOf(path) ?? 0;
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.#lineStarts[low] ?? 0) + 1 };
  }

  #record(path: readonly (string | number)[], offset: number): void {
    const key = path.join(KEY_SEPARATOR);
    if (!this.#offsets.has(key)) this.#offsets.set(key, offset);
  }

  #peek(ahead = 0): string {
    return this.#text.charAt(this.#at + ahead);
  }

  #skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.#peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.#at++;
      else if (c === '#') while (this.#at < this.#text.length && this.#peek() !== '\n') this.#at++;
      else return;
    }
  }

  #scanDocument(): void {
    let table: string[] = [];
    while (this.#at < this.#text.length) {
      this.#skipBlank(true);
      if (this.#at >= this.#text.length) break;
      if (this.#peek() === '[') {
        const start = this.#at;
        this.#at += this.#peek(1) === '[' ? 2 : 1;
        table = this.#readKey();
        this.#record(table, start);
        while (this.#at < this.#text.length && this.#peek() !== '\n') this.#at++;
      } else {
        this.#scanPair(table);
        while (this.#at < this.#text.length && this.#peek() !== '\n') this.#at++;
      }
    }
  }

  #scanPair(prefix: readonly string[]): void {
    const start = this.#at;
    const key = [...prefix, ...this.#readKey()];
    this.#record(key, start);
    this.#skipBlank(false);
    if (this.#peek() !== '=') return;
    this.#at++;
    this.#skipBlank(false);
    this.#scanValue(key);
  }

  #scanValue(path: readonly (string | number)[]): void {
    const c = this.#peek();
    if (c === '"' || c === "'") {
      this.#skipString();
    } else if (c === '[') {
      this.#at++;
      let index = 0;
      for (;;) {
        this.#skipBlank(true);
        const next = this.#peek();
        if (next === '' || next === ']') break;
        if (next === ',') {
          this.#at++;
          continue;
        }
        const element = [...path, index++];
        this.#record(element, this.#at);
        const before = this.#at;
        this.#scanValue(element);
        if (this.#at === before) this.#at++;
      }
      this.#at++;
    } else if (c === '{') {
      this.#at++;
      for (;;) {
        this.#skipBlank(false);
        const next = this.#peek();
        if (next === '' || next === '}' || next === '\n') break;
        if (next === ',') {
          this.#at++;
          continue;
        }
        const before = this.#at;
        this.#scanPair(path.map(String));
        if (this.#at === before) this.#at++;
      }
      this.#at++;
    } else {
      while (this.#at < this.#text.length && !',]}\n#'.includes(this.#peek())) this.#at++;
    }
  }

  #readKey(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.#skipBlank(false);
      const c = this.#peek();
      if (c === '"' || c === "'") {
        const start = this.#at;
        this.#skipString();
        parts.push(this.#unquote(this.#text.slice(start, this.#at)));
      } else {
        const start = this.#at;
        while (BARE_KEY.test(this.#peek())) this.#at++;
        parts.push(this.#text.slice(start, this.#at));
      }
      this.#skipBlank(false);
      if (this.#peek() !== '.') return parts;
      this.#at++;
    }
  }

  #unquote(literal: string): string {
    if (literal.startsWith("'")) return literal.slice(1, -1);
    try {
      return JSON.parse(literal) as string;
    } catch {
      // A TOML escape JSON lacks (\e, \x..): the key is then only found through its enclosing table.
      return literal.slice(1, -1);
    }
  }

  #skipString(): void {
    const quote = this.#peek();
    const triple = this.#peek(1) === quote && this.#peek(2) === quote;
    const close = triple ? quote.repeat(3) : quote;
    this.#at += close.length;
    while (this.#at < this.#text.length) {
      if (quote === '"' && this.#peek() === '\\') {
        this.#at += 2;
      } else if (this.#text.startsWith(close, this.#at)) {
        this.#at += close.length;
        return;
      } else if (!triple && this.#peek() === '\n') {
        return;
      } else {
        this.#at++;
      }
    }
  }
}
