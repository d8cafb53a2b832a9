/**
 * Matomo on Kubernetes. `pulumi up` runs this file: it deploys the topology the stack config
 * selects and exports the stack outputs (see stacks/context.ts for what each one is).
 */
import { deploy } from "./stacks";

export = deploy();
