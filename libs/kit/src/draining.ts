/**
 * Whether this process is stopping. While it drains, readiness fails (load balancers send no
 * more) and every response closes its connection, so no client reuses one that is about to close.
 */
let draining = false;

export const isDraining = (): boolean => draining;

export function startDraining(): void {
  draining = true;
}
