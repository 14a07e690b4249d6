/**
 * A right to send messages to (and call) one endpoint. An opaque handle bound to the task that
 * holds it: the kernel keeps the real right, so a handle used by any other task, a forged object or
 * a handle that was moved away is `NO_RIGHT`.
 *
 * @example
 * const { send } = kernel.createEndpoint(server);
 * const route: SendCap = kernel.grant(send, client);
 */
export interface SendCap {
  readonly kind: 'send';
}

/**
 * The right to receive from one endpoint; held only by the endpoint's owner and never transferable.
 *
 * @example
 * const { recv } = kernel.createEndpoint(server);
 * server.serve(recv, (msg) => msg.frame);
 */
export interface RecvCap {
  readonly kind: 'recv';
}
