import type { Command } from 'commander';
import { Argument } from 'commander';
import type { ArgumentSpec, OptionSpec } from './optionTable.js';
import type { AnyCommandSpec } from './commandSpec.js';

/** Build commander's command from a declaration, under `parent`. */
export const registerCommand = (parent: Command, spec: AnyCommandSpec): Command => {
  const cmd = parent.command(spec.name).description(spec.description);
  for (const a of spec.arguments as ReadonlyArray<ArgumentSpec<unknown>>)
    if (a.choices === undefined) cmd.argument(a.name, a.description);
    else cmd.addArgument(new Argument(a.name, a.description).choices(a.choices));
  for (const o of Object.values(spec.options as Readonly<Record<string, OptionSpec<unknown>>>))
    if (o.required === true) cmd.requiredOption(o.flags, o.description);
    else if (o.parse !== undefined) cmd.option(o.flags, o.description, o.parse);
    else if (o.default !== undefined) cmd.option(o.flags, o.description, o.default);
    else cmd.option(o.flags, o.description);
  if (spec.helpAfter !== undefined) cmd.addHelpText('after', spec.helpAfter);
  // What runs loads when it runs: the action (decoding, the thread id rule) as one module, where
  // its pieces loaded one by one were several small chunks of the bundle, and for a command on a
  // home the engine beside it. A command of its own work with nothing to decode (`tokens`,
  // `index`) loads neither.
  cmd.action(async (...given: unknown[]) => {
    const cmd = given[given.length - 1] as Command;
    const args = cmd.processedArgs;
    const opts = spec.withParentOptions === true ? cmd.optsWithGlobals() : cmd.opts();
    if (spec.params === undefined && spec.onHome === undefined)
      return spec.run?.({ args, opts, cmd, params: undefined });
    const [{ actionOf }, engine] = await Promise.all([
      import('./commandAction.js'),
      spec.onHome === undefined ? undefined : import('./runOnHome.js'),
    ]);
    return actionOf(spec, engine)({ args, opts, cmd });
  });
  for (const sub of spec.subcommands ?? []) registerCommand(cmd, sub);
  return cmd;
};
