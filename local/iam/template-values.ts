/**
 * Evaluates CloudFormation intrinsic functions in a synthesized template with the values one
 * deployment would give them: parameters, pseudo parameters, the physical names of resources and
 * imported outputs. Covers the functions `cdk synth` writes into this project's templates; any
 * other function is an error rather than a silent pass-through.
 */
export interface TemplateValues {
  /** `Ref` targets: parameters (defaults apply to those not given), pseudo parameters, resources. */
  readonly refs: Readonly<Record<string, unknown>>;
  /** `Fn::GetAtt` by `logicalId.attribute`. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** `Fn::ImportValue` by export name. */
  readonly imports?: Readonly<Record<string, unknown>>;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly Type?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
}

const PSEUDO_NO_VALUE = Symbol('AWS::NoValue');

export class TemplateResolver {
  private readonly refs: Map<string, unknown>;

  constructor(
    private readonly template: CfnTemplate,
    private readonly values: TemplateValues,
  ) {
    this.refs = new Map(Object.entries(parameterDefaults(template)));
    for (const [name, value] of Object.entries(values.refs)) this.refs.set(name, value);
    this.refs.set('AWS::NoValue', PSEUDO_NO_VALUE);
  }

  /** The value of any part of the template, with every intrinsic function evaluated. */
  resolve(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.resolve(item)).filter((item) => item !== PSEUDO_NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [fn, argument] = entries[0] ?? [];
    if (entries.length === 1 && fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::') || fn === 'Condition')) {
      return this.intrinsic(fn, argument);
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      const result = this.resolve(value);
      if (result !== PSEUDO_NO_VALUE) resolved[key] = result;
    }
    return resolved;
  }

  /** The resolved properties of every resource of a type, by logical id. */
  resources(type: string): [string, Record<string, unknown>][] {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => [id, this.resolve(resource.Properties ?? {}) as Record<string, unknown>]);
  }

  /** The outputs, resolved, each with its export name when it has one. */
  outputs(): { readonly name: string; readonly value: unknown; readonly exportName?: string }[] {
    return Object.entries(this.template.Outputs ?? {}).map(([name, output]) => ({
      name,
      value: this.resolve(output.Value),
      ...(output.Export && { exportName: String(this.resolve(output.Export.Name)) }),
    }));
  }

  condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`Unknown condition ${name}.`);
    return this.resolve(expression) === true;
  }

  private intrinsic(fn: string, argument: unknown): unknown {
    const args = Array.isArray(argument) ? argument : [argument];
    switch (fn) {
      case 'Ref':
        return this.lookup(this.refs, String(argument), 'Ref');
      case 'Fn::GetAtt':
        return this.lookup(new Map(Object.entries(this.values.attributes ?? {})), args.join('.'), 'Fn::GetAtt');
      case 'Fn::ImportValue':
        return this.lookup(new Map(Object.entries(this.values.imports ?? {})), String(this.resolve(argument)), 'Fn::ImportValue');
      case 'Fn::Join':
        return (this.resolve(args[1]) as unknown[]).join(String(args[0]));
      case 'Fn::Select':
        return (this.resolve(args[1]) as unknown[])[Number(this.resolve(args[0]))];
      case 'Fn::Split':
        return String(this.resolve(args[1])).split(String(args[0]));
      case 'Fn::If':
        return this.resolve(this.condition(String(args[0])) ? args[1] : args[2]);
      case 'Fn::Equals':
        return JSON.stringify(this.resolve(args[0])) === JSON.stringify(this.resolve(args[1]));
      case 'Fn::Not':
        return !this.resolve(args[0]);
      case 'Fn::And':
        return args.every((arg) => this.resolve(arg) === true);
      case 'Fn::Or':
        return args.some((arg) => this.resolve(arg) === true);
      case 'Condition':
        return this.condition(String(argument));
      default:
        throw new Error(`${fn} is not supported by the local template resolver.`);
    }
  }

  private lookup(table: Map<string, unknown>, name: string, fn: string): unknown {
    if (!table.has(name)) throw new Error(`${fn} ${name} has no local value.`);
    return table.get(name);
  }
}

/** Parameter defaults as CloudFormation reads them: a CommaDelimitedList default is a list. */
function parameterDefaults(template: CfnTemplate): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (parameter.Default === undefined) continue;
    defaults[name] = parameter.Type === 'CommaDelimitedList' ? String(parameter.Default).split(',') : parameter.Default;
  }
  return defaults;
}
