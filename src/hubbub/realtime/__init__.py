"""Socket.IO: connect-time auth, event handlers, and the local emitter fan-out lands on."""
