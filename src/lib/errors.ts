/**
 * A failure the person at the command line can act on from its message alone (no terminal at the
 * socket, a port already taken): the CLI prints `lifecheck: MESSAGE` and exits 1, without a stack.
 * Anything else that escapes is a bug, and keeps its stack.
 */
export class OperationalError extends Error {
  override readonly name = 'OperationalError';
}
