// What a failed call tells the reader.

import { ApiError } from "../api";
import { OfflineError } from "../socket";

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof OfflineError) return "Not connected.";
  return "Something went wrong.";
}
