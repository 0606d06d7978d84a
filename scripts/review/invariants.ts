/**
 * What the project promises about access, each checked over the report's answers: a promise
 * broken by a change shows as such in the report's header, with the cells that break it.
 */
import { API_ROUTES, type ApiRoute, KMS_CONTEXT_KEYS } from '../../contract/index.js';
import { CALLER_POLICIES, type CallerPolicy } from '../../lib/naming.js';
import type { Answer } from './answers.js';
import type { AccessReport, ReportColumn, ReportResource } from './report.js';
import { inWords } from './words.js';

export interface InvariantResult {
  readonly id: string;
  readonly statement: string;
  readonly holds: boolean;
  /** The cells that break it: `principal · resource · column: answer`. */
  readonly exceptions: readonly string[];
}

type Answered = Omit<AccessReport, 'invariants'>;

interface Cell {
  readonly principal: Answered['principals'][number];
  readonly resource: ReportResource;
  readonly column: ReportColumn;
  readonly answer: Answer;
}

interface Invariant {
  readonly id: string;
  readonly statement: string;
  /** The cells it speaks of. */
  readonly about: (cell: Cell) => boolean;
  readonly holds: (cell: Cell) => boolean;
}

const routes = API_ROUTES as readonly ApiRoute[];
const routeLabel = (route: ApiRoute) => `${route.method} ${route.resource}`;
const publicRoutes = routes.filter((route) => !route.iamAuth).map(routeLabel);
const KEYS = ['master-key', 'storage-key', 'alarm-topic-key'];
const code = (text: string) => `\`${text}\``;

const denied = (cell: Cell) => cell.answer.decision === 'denied';
/** Not allowed bare: denied, or allowed only with the given condition in every way in. */
const onlyWith =
  (...ids: string[]) =>
  ({ answer }: Cell) =>
    answer.decision === 'denied' || (answer.decision === 'conditional' && answer.conditions.every((way) => ids.some((id) => way.includes(id))));
const isPrincipal = (id: string) => (cell: Cell) => cell.principal.id === id;
const inGroup =
  (...groups: string[]) =>
  (cell: Cell) =>
    groups.includes(cell.principal.group);
const onResource =
  (...ids: string[]) =>
  (cell: Cell) =>
    ids.includes(cell.resource.id);
/** Unsigned, or signed in another account; AWS services are named by the stacks and have rows of their own. */
const outsider = (cell: Cell, account: string) =>
  cell.principal.arn === '*' || (cell.principal.arn.startsWith('arn:') && !cell.principal.arn.includes(`::${account}:`));

/** The audience whose routes a caller policy allows: the contract's audiences are the policies' names in the plural. */
const audienceOf = (policy: CallerPolicy) => `${policy}s`;

function invariants(report: Answered): readonly Invariant[] {
  const { account } = report.deployment;
  return [
    {
      id: 'unwrap-needs-data-key-context',
      statement: `No application role can use the master key cryptographically without the encryption context keys ${Object.values(KMS_CONTEXT_KEYS).map(code).join(' and ')}.`,
      about: (cell) => inGroup('function')(cell) && onResource('master-key')(cell) && cell.column.cryptographic,
      holds: onlyWith('dataKeyContext'),
    },
    {
      id: 'application-roles-do-not-administer-keys',
      statement: 'No application role can administer a key: no change to its policy, state, aliases, tags or grants.',
      about: (cell) =>
        inGroup('function')(cell) && onResource(...KEYS)(cell) && !cell.column.cryptographic && !['Read', 'List'].includes(cell.column.accessLevel),
      holds: denied,
    },
    {
      id: 'administrators-cannot-use-keys',
      statement: 'The key administrators cannot use the keys: no cryptographic action on any of them.',
      about: (cell) => isPrincipal('key-administrators')(cell) && onResource(...KEYS)(cell) && cell.column.cryptographic,
      holds: denied,
    },
    {
      id: 'storage-key-only-through-services',
      statement: 'Application roles use the storage key only through DynamoDB or Secrets Manager, never directly.',
      about: (cell) => inGroup('function')(cell) && onResource('storage-key')(cell),
      holds: onlyWith('viaDynamoDB', 'viaSecretsManager'),
    },
    {
      id: 'crypto-role-only-reads-table',
      statement:
        "The crypto function's role reads the data-key table, and writes nothing but a version's last-use hour: no wrapped key, policy or state.",
      about: (cell) =>
        isPrincipal('function:crypto')(cell) &&
        onResource('data-key-table', 'data-key-table-indexes')(cell) &&
        !['Read', 'List'].includes(cell.column.accessLevel),
      holds: (cell) => (cell.column.action === 'dynamodb:UpdateItem' ? onlyWith('lastUsedAttributeOnly')(cell) : denied(cell)),
    },
    {
      id: 'master-key-role-reads-probe-only',
      statement: "The master-key function's role reads the data-key table only on the health probe's partition: no data key.",
      about: (cell) => isPrincipal('function:masterKey')(cell) && onResource('data-key-table', 'data-key-table-indexes')(cell),
      holds: onlyWith('healthProbePartition'),
    },
    {
      id: 'functions-write-own-logs',
      statement: "Each function's role writes its own log group only (besides the audit log group), and none the API's access logs.",
      about: (cell) => inGroup('function')(cell) && onResource('log-groups')(cell),
      holds: (cell) => (cell.answer.decision === 'allowed') === (cell.column.owner === cell.principal.id),
    },
    {
      id: 'audit-log-group-apart-from-api-gateway',
      statement:
        "API Gateway's CloudWatch role, which every API of the account shares, can neither write nor read the audit log group: only the functions write audit records.",
      about: (cell) => isPrincipal('role:api-gateway-cloudwatch')(cell) && onResource('audit-log-group')(cell),
      holds: denied,
    },
    {
      id: 'nothing-elsewhere',
      statement:
        "Besides writing traces (X-Ray has no resource-level permissions), no application role, key administrator or caller policy of this account reaches anything that is not the service's.",
      about: (cell) =>
        inGroup('function', 'keyAdministrators', 'caller', 'listedCaller')(cell) &&
        !outsider(cell, account) &&
        onResource('elsewhere')(cell) &&
        cell.column.action !== 'xray:PutTraceSegments',
      holds: denied,
    },
    {
      id: 'callers-only-through-api',
      statement: 'Callers use the keys only through the API: no caller policy, and no listing in `callers`, gives any KMS action on any key.',
      about: (cell) => inGroup('caller', 'listedCaller', 'otherAccount')(cell) && onResource(...KEYS)(cell),
      holds: denied,
    },
    {
      id: 'public-routes',
      statement: `Only ${publicRoutes.length} routes are public (${publicRoutes.map(code).join(', ')}): anybody unsigned may call them, and nothing else.`,
      about: (cell) => isPrincipal('anonymous')(cell) && onResource('api')(cell),
      holds: (cell) => (cell.answer.decision === 'allowed') === publicRoutes.includes(cell.column.label),
    },
    {
      id: 'caller-policies-match-audiences',
      statement: "Each caller policy allows exactly its audience's routes in the contract, besides the public ones.",
      about: (cell) => inGroup('caller')(cell) && onResource('api')(cell),
      holds: (cell) => {
        const route = routes.find((r) => routeLabel(r) === cell.column.label);
        const policy = (Object.keys(CALLER_POLICIES) as CallerPolicy[]).find((p) => cell.principal.id === `caller:${p}`);
        const expected = route !== undefined && (!route.iamAuth || (policy !== undefined && route.audience === audienceOf(policy)));
        return (cell.answer.decision === 'allowed') === expected;
      },
    },
    {
      id: 'listed-callers',
      statement:
        'A principal of another account invokes the API only when listed in `callers` (then its own policies decide); a principal of this account listed there gets nothing without a caller policy.',
      about: (cell) => inGroup('listedCaller', 'otherAccount')(cell) && onResource('api')(cell),
      holds: (cell) =>
        (cell.answer.decision === 'allowed') === (publicRoutes.includes(cell.column.label) || cell.principal.id === 'listed:other-account'),
    },
    {
      id: 'outsiders-get-nothing-stored',
      statement: 'Nobody unsigned and no principal of another account can do anything with the keys, the table, the audit trail or the alarm topic.',
      about: (cell) => outsider(cell, account) && !onResource('api')(cell),
      holds: denied,
    },
    {
      id: 'alarm-topic-publishers',
      statement: "Besides the account's administrators, only CloudWatch, for this account's alarms, may publish to the alarm topic.",
      about: (cell) => onResource('alarm-topic')(cell) && cell.column.action === 'sns:Publish' && !inGroup('accountAdministrator')(cell),
      holds: (cell) => (isPrincipal('service:cloudwatch')(cell) ? onlyWith('thisAccountsAlarms')(cell) : denied(cell)),
    },
  ];
}

export function invariantsOf(report: Answered): InvariantResult[] {
  const cells: Cell[] = report.resources.flatMap((resource) =>
    report.principals.flatMap((principal) =>
      resource.columns.map((column) => ({ principal, resource, column, answer: resource.answers[principal.id]![column.label]! })),
    ),
  );
  return invariants(report).map(({ id, statement, about, holds }) => {
    const exceptions = cells
      .filter((cell) => about(cell) && !holds(cell))
      .map((cell) => `${cell.principal.label} · ${cell.resource.title} · ${cell.column.label}: ${inWords(cell.answer, report.conditions)}`);
    return { id, statement, holds: exceptions.length === 0, exceptions };
  });
}
