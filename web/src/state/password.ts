// A new password, checked before asking the server (which checks again): pure.

export const MIN_PASSWORD = 8;

export type PasswordField = "current" | "next" | "again";

/** What is wrong with the fields, and which field to point at; null when they will do. */
export function passwordProblem(
  current: string,
  next: string,
  again: string,
): { field: PasswordField; text: string } | null {
  if (!current) return { field: "current", text: "Type your current password." };
  if (next.length < MIN_PASSWORD) {
    return { field: "next", text: `The new password needs at least ${MIN_PASSWORD} characters.` };
  }
  if (next !== again) return { field: "again", text: "The new passwords do not match." };
  if (next === current) return { field: "next", text: "The new password is the same as the current one." };
  return null;
}
