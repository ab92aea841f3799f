/**
 * The JSON Schema of the workspace format, for editors (written to
 * schema/workspace.schema.json by `npm run schema`). Generated from the zod
 * schemas, so it is strict in the same places: every object says
 * `additionalProperties: false`. `strategyOptions` is a map in the zod schema
 * (each strategy checks its own options when it is created); here it gets
 * each strategy's options by an if/then on `strategy`, so an editor completes
 * and checks them too.
 */
import { z } from 'zod';
import { WorkspaceSchema } from '../model/spec';
import { listStrategies } from '../strategies/registry';

/** The strategy a service gets when it names none (ServiceSpecSchema's default). */
const DEFAULT_STRATEGY = 'round-robin';

type JsonSchema = Record<string, unknown>;

export function workspaceJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(WorkspaceSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const service = ((schema.properties as JsonSchema).services as JsonSchema).items as JsonSchema;
  service.allOf = listStrategies().map((def) => {
    const options = z.toJSONSchema(def.options, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    delete options.$schema;
    // An absent strategy is the default one: `properties` alone matches a service without the key.
    const when: JsonSchema = { properties: { strategy: { const: def.name } } };
    if (def.name !== DEFAULT_STRATEGY) when.required = ['strategy'];
    return { if: when, then: { properties: { strategyOptions: options } } };
  });
  // A demo backend's url is where lbw starts it, so the file leaves it out: a backend needs a url or a demo.
  const backend = ((service.properties as JsonSchema).backends as JsonSchema).items as JsonSchema;
  const required = (backend.required as string[]).filter((k) => k !== 'url');
  if (required.length > 0) backend.required = required;
  else delete backend.required;
  backend.anyOf = [{ required: ['url'] }, { required: ['demo'] }];
  return schema;
}
