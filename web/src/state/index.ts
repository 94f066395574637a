// The client's state, apart from any view: per room (state/room.ts; its gaps, state/gap.ts)
// and the outbox (state/outbox.ts). Pure, unit-tested without a browser (web/tests/).

export { GAP_RETRY, GapTracker, type GapOutcome } from "./gap";
export { PAGE_RETRY, RoomState, type Notice } from "./room";
export {
  newClientId,
  Outbox,
  type KeyValueStore,
  type Pending,
  type PendingStatus,
} from "./outbox";
