/**
 * One row of the conformance table: what the backends do (by path), what
 * the client sends, and what must hold. A case is sent once through nginx
 * and once through lbw to the same backends; everything in `view()` must be
 * equal, except what the case lists in `differs`, which it may only do with
 * a `differsOnPurpose` reason and an `lbw` check that asserts lbw's intended
 * behaviour instead.
 */
import { expect } from 'vitest';
import type { Script } from './backends';
import type { ClientResponse } from './clients';
import { headerView, type Observation } from './compare';

export interface Case {
  name: string;
  /** Backend behaviour by path, for the paths this case uses (every backend the same). */
  scripts?: Record<string, Script>;
  /** Sends the case's request(s) to an engine on `port`. */
  run(port: number): Promise<{ responses: ClientResponse[]; notes?: Record<string, unknown> }>;
  /**
   * The proxy answers itself (a rejected request): only the status and what
   * reached the backends are compared; the error page and its headers are
   * each engine's own.
   */
  ownAnswer?: boolean;
  /** Why lbw differs from nginx here, on purpose. */
  differsOnPurpose?: string;
  /** What is not compared with nginx (see `view()`); only with `differsOnPurpose`. */
  differs?: string[];
  /** What is not compared because it depends on timing in both engines (such as how much of an upload got through), and why. */
  timingDependent?: { paths: string[]; why: string };
  /** Holds for both engines: the case's premise, checked on nginx too so a wrong premise shows. */
  both?(o: Observation): void;
  /** lbw's intended behaviour where it differs on purpose. */
  lbw?(o: Observation, nginx: Observation): void;
}

/** Response `i`'s headers as compared (lower-case names, combined values). */
export function headersOf(o: Observation, i = 0): Record<string, string | string[]> {
  const r = o.responses[i];
  return r ? headerView(r.headers) : {};
}

/** Request `i` as a backend received it: headers lower-cased and combined (framing ones included). */
export function receivedHeaders(o: Observation, i = 0): Record<string, string | string[]> {
  const r = o.received[i];
  return r ? headerView(r.headers, new Set()) : {};
}

/** The statuses of every answer, in order. */
export function statuses(o: Observation): Array<ClientResponse['status']> {
  return o.responses.map((r) => r.status);
}

/** The first answer is a clean header-only one and the follow-up requests on the connection were answered `200 ok`. */
export function cleanHeaderOnlyThenOk(status: number) {
  return (o: Observation): void => {
    expect(statuses(o), 'statuses of the answer and the follow-ups on the same connection').toEqual([status, 200, 200]);
    expect(o.responses[0]!.body.length, 'body bytes of the header-only answer').toBe(0);
    expect(headersOf(o)['transfer-encoding'], 'Transfer-Encoding on the header-only answer').toBeUndefined();
    expect(o.responses.slice(1).map((r) => r.body.toString()), 'follow-up bodies').toEqual(['ok', 'ok']);
  };
}
