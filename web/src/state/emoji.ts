// Finding emoji by name for the picker (emojibase-data's labels and tags).

export interface EmojiEntry {
  unicode: string;
  label: string;
  group: number;
  order?: number;
  tags?: string[];
}

/** An emoji in the form the server takes as one (its fully-qualified form): no variation
 * selector after a character that shows as an emoji anyway ("👍️" → "👍"; "❤️" keeps it). */
export function qualified(emoji: string): string {
  return emoji.replace(/(\p{Emoji_Presentation})\uFE0F/gu, "$1");
}

/** The emoji whose label or tags hold a word starting with each word of `query`, those whose
 * label starts with the query first. */
export function emojiMatches(all: readonly EmojiEntry[], query: string, limit = 90): EmojiEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const whole = words.join(" ");
  const found: { e: EmojiEntry; rank: number }[] = [];
  for (const e of all) {
    const label = e.label.toLowerCase();
    const vocabulary = [...label.split(/[\s:,]+/), ...(e.tags ?? [])];
    if (!words.every((w) => vocabulary.some((v) => v.startsWith(w)))) continue;
    found.push({ e, rank: label.startsWith(whole) ? 0 : 1 });
  }
  found.sort((a, b) => a.rank - b.rank || (a.e.order ?? 0) - (b.e.order ?? 0));
  return found.slice(0, limit).map((f) => f.e);
}
