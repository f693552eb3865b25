/**
 * Fictional people for the simulated SI service, the demo and the traces. Their ID numbers are
 * made with a valid GB 11643 check digit but belong to no one. Region 440604 is Foshan (Chancheng).
 */
import type { Identity } from '../domain/identity.js';
import { makeIdNumber } from '../domain/id-number.js';
import type { Eligibility, HistoryRecord } from './port.js';

export interface TestPerson {
  key: string;
  identity: Omit<Identity, 'source'>;
  eligibility: Eligibility;
  history: HistoryRecord[];
  /** Electronic SSC QR token that resolves to this person. */
  token?: string;
  /** Social security card number (EF05): the reference SI service finds the person by it too. */
  sscCardNumber?: string;
  /** Whether the SI system knows this person at all. */
  known: boolean;
}

const CYCLE = { from: '2026-03-01', to: '2027-02-28' };

function person(
  key: string,
  name: string,
  gender: 'male' | 'female',
  birth: string,
  seq: number,
  rest: Partial<Omit<TestPerson, 'identity'>> & { eligibility: Eligibility; identity?: Partial<Identity> },
): TestPerson {
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  return {
    key,
    identity: {
      name,
      gender,
      idNumber: makeIdNumber('440604', birth, seq),
      birthDate,
      nation: '汉',
      validFrom: '2016-05-10',
      validTo: 'long-term',
      ...rest.identity,
    },
    history: rest.history ?? [],
    known: rest.known ?? true,
    eligibility: rest.eligibility,
    ...(rest.token ? { token: rest.token } : {}),
    ...(rest.sscCardNumber ? { sscCardNumber: rest.sscCardNumber } : {}),
  };
}

export const TEST_PERSONS: TestPerson[] = [
  person('due', '陈秀英', 'female', '19480315', 22, {
    eligibility: { status: 'eligible', cycle: CYCLE },
    token: 'ESSC-7Q2M-DUE',
    sscCardNumber: 'F44060422',
    history: [
      { year: 2024, verifiedOn: '2024-03-18', channel: 'counter', result: 'passed' },
      { year: 2025, verifiedOn: '2025-03-20', channel: 'terminal', result: 'passed' },
    ],
  }),
  person('due-2', '何淑珍', 'female', '19510812', 84, {
    eligibility: { status: 'eligible', cycle: CYCLE },
    sscCardNumber: 'F44060484',
    history: [{ year: 2025, verifiedOn: '2025-08-30', channel: 'mobile', result: 'passed' }],
  }),
  person('verified', '李建国', 'male', '19500701', 31, {
    eligibility: { status: 'already-verified', cycle: CYCLE, verifiedOn: '2026-08-02' },
    history: [{ year: 2026, verifiedOn: '2026-08-02', channel: 'terminal', result: 'passed' }],
  }),
  person('not-retiree', '王小明', 'male', '19850505', 51, { eligibility: { status: 'not-retiree' } }),
  person('unknown', '赵伟', 'male', '19550101', 13, { eligibility: { status: 'unknown-person' }, known: false }),
  person('suspended', '黄丽华', 'female', '19520909', 44, {
    eligibility: { status: 'refer-to-counter', reason: 'pension-suspended' },
  }),
  person('expired-card', '周桂兰', 'female', '19460620', 62, {
    eligibility: { status: 'eligible', cycle: CYCLE },
    identity: { validFrom: '2005-01-01', validTo: '2025-01-01' },
  }),
];

export function testPerson(key: string): TestPerson {
  const p = TEST_PERSONS.find((t) => t.key === key);
  if (!p) throw new Error(`no test person '${key}' (have: ${TEST_PERSONS.map((t) => t.key).join(', ')})`);
  return p;
}
