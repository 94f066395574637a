// Message search as the client holds it: the words of a query as the server reads them
// (runs of letters and digits, case ignored: src/hubbub/search_words.py), the parts of a
// text to highlight (whole words of the query), and the results listed so far with the
// cursor for the next page. Pure: chat/search.ts asks the server, views/search.ts draws.

import type { Message, SearchPage } from "../types";

/** A word: a run of letters and digits; anything else separates words. */
const WORD = /[\p{L}\p{N}]+/gu;
/** Longer runs are neither indexed nor searched for. */
export const MAX_WORD = 64;

/** The query's words, lower-cased, each once, in order. */
export function queryWords(query: string): string[] {
  const seen = new Set<string>();
  for (const [word] of query.matchAll(WORD)) {
    const lower = word.toLowerCase();
    if (lower.length <= MAX_WORD) seen.add(lower);
  }
  return [...seen];
}

export interface Segment {
  text: string;
  /** A whole word of the query. */
  match: boolean;
}

/** `text` cut into runs to show plainly and whole words of the query to highlight (in any
 * case); joined, the segments give `text` back exactly. */
export function highlightSegments(text: string, words: readonly string[]): Segment[] {
  const wanted = new Set(words.map((w) => w.toLowerCase()));
  const out: Segment[] = [];
  let plain = "";
  let last = 0;
  for (const found of text.matchAll(WORD)) {
    const word = found[0];
    if (!wanted.has(word.toLowerCase())) continue;
    plain += text.slice(last, found.index);
    if (plain) out.push({ text: plain, match: false });
    plain = "";
    out.push({ text: word, match: true });
    last = found.index + word.length;
  }
  plain += text.slice(last);
  if (plain) out.push({ text: plain, match: false });
  return out;
}

/** One search: its query and scope, the results so far (newest first), and what to ask
 * next. A page that comes back for an older search is not taken in. */
export class SearchResults {
  readonly words: string[];
  private readonly byId = new Set<number>();
  readonly results: Message[] = [];
  hasMore = false;
  loading = false;
  error: string | null = null;
  /** A page has come back (so "no results" means none). */
  done = false;

  constructor(
    readonly query: string,
    /** Only this room, or every room the reader may read. */
    readonly room: string | null = null,
  ) {
    this.words = queryWords(query);
  }

  /** The query has a word to look for (else the server answers bad_request). */
  get searchable(): boolean {
    return this.words.length > 0;
  }

  /** `before_id` for the next page: the oldest result's id, or null for the first page. */
  get before(): number | null {
    const last = this.results[this.results.length - 1];
    return last ? last.id : null;
  }

  /** Take a page in (results already listed are skipped). */
  add(page: SearchPage): void {
    for (const m of page.results) {
      if (this.byId.has(m.id)) continue;
      this.byId.add(m.id);
      this.results.push(m);
    }
    this.hasMore = page.has_more;
    this.error = null;
    this.done = true;
  }

  fail(message: string): void {
    this.error = message;
    this.done = true;
  }
}
