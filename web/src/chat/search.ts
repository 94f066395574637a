// Message search (GET /api/search): one search at a time (state/search.ts holds it), its
// pages fetched newest first with `before_id`; a page for an older search is dropped.

import { SearchResults } from "../state/search";
import { describeError } from "./errors";
import type { Chat } from "./index";

export class Search {
  /** The search shown, or null. */
  current: SearchResults | null = null;

  constructor(private readonly chat: Chat) {}

  /** Search for `query`, in one room or (null) every room the reader may read. */
  async run(query: string, room: string | null = null): Promise<void> {
    const search = new SearchResults(query, room);
    this.current = search;
    if (!search.searchable) {
      search.fail("Type a word to search for (letters or digits).");
      this.chat.changed();
      return;
    }
    await this.load(search);
  }

  /** The next page of the current search. */
  async more(): Promise<void> {
    const search = this.current;
    if (search?.hasMore && !search.loading) await this.load(search);
  }

  clear(): void {
    this.current = null;
    this.chat.changed();
  }

  private async load(search: SearchResults): Promise<void> {
    const chat = this.chat;
    search.loading = true;
    chat.changed();
    try {
      const page = await chat.api.search(search.query, {
        room: search.room,
        before: search.before,
      });
      if (this.current !== search) return;
      chat.people.learn(page.results.map((m) => m.user));
      search.add(page);
    } catch (error) {
      if (this.current === search) search.fail(describeError(error));
    } finally {
      search.loading = false;
      chat.changed();
    }
  }
}
