/**
 * Resource registration under the mock engine without the protobuf round trip of each new
 * resource's state. Pulumi's mock monitor packs the state it computed into a protobuf Struct only
 * for the SDK to unpack it again a moment later; with the SDK's own packing of the inputs, that was
 * a third of every program run and most of its garbage. Here the SDK reads the state as the plain
 * object it was serialized to (the same fields the Struct held), and the inputs are unpacked once,
 * for the mocks and the capture alike. A request the shortcut does not cover (a transform) goes
 * through the SDK's monitor unchanged.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getImportid(): string;
    getTransformsList(): unknown[];
    getObject(): unknown;
    getRetainondelete(): boolean;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getAliasesList(): { getUrn(): string }[];
}

/** What the SDK reads of a registration's response (runtime/resource.js). */
export interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): unknown;
    getPropertydependenciesMap(): Map<string, unknown>;
    getResult(): number;
    getUnknown(): boolean;
}

type Callback = (err: unknown, resp?: RegisterResponse) => void;

/** The parts of the SDK's MockMonitor (runtime/mocks.js) the registration uses. */
export interface MonitorInternals {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: Callback): unknown;
    readonly resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}

/** A registered resource: the request, its URN, and its inputs and state as plain values. */
export interface Registration {
    readonly req: RegisterRequest;
    readonly urn: string;
    readonly inputs: Record<string, unknown>;
    /** The state in its serialized form (secrets as wrappers), as the SDK receives it. */
    readonly serializedState: Record<string, unknown>;
}

/** The SDK's own protobuf-free view of a Struct: all `deserializeProperties` reads of it. */
export function plainStruct(value: Record<string, unknown>): { toJavaScript(): Record<string, unknown> } {
    return { toJavaScript: () => value };
}

/**
 * Makes `monitor` register resources through `mocks.newResource` directly, calling `onRegistered`
 * for each one that succeeds (also for those the SDK's monitor handles).
 */
export function registerDirectly(
    monitor: MonitorInternals,
    mocks: Pick<pulumi.runtime.Mocks, "newResource">,
    onRegistered: (registration: Registration) => void,
): void {
    const viaSdk = monitor.registerResource.bind(monitor);
    const deserialize = (struct: unknown) =>
        pulumi.runtime.deserializeProperties(struct as Parameters<typeof pulumi.runtime.deserializeProperties>[0]) as Record<
            string,
            unknown
        >;
    monitor.registerResource = async (req: RegisterRequest, callback: Callback) => {
        if (req.getTransformsList().length > 0) {
            viaSdk(req, (err, resp) => {
                if (!err && resp) {
                    const state = resp.getObject() as { toJavaScript(): Record<string, unknown> };
                    onRegistered({ req, urn: resp.getUrn(), inputs: deserialize(req.getObject()), serializedState: state.toJavaScript() });
                }
                callback(err, resp);
            });
            return;
        }
        let response: RegisterResponse;
        try {
            const inputs = deserialize(req.getObject());
            const result = await mocks.newResource({
                type: req.getType(),
                name: req.getName(),
                inputs,
                provider: req.getProvider(),
                custom: req.getCustom(),
                id: req.getImportid(),
            });
            const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
            const serializedState = (await pulumi.runtime.serializeProperties("", result.state)) as Record<string, unknown>;
            monitor.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
            onRegistered({ req, urn, inputs, serializedState });
            response = {
                getUrn: () => urn,
                getId: () => result.id ?? "",
                getObject: () => plainStruct(serializedState),
                getPropertydependenciesMap: () => new Map(),
                getResult: () => 0,
                getUnknown: () => false,
            };
        } catch (err) {
            callback(err, undefined);
            return;
        }
        callback(null, response);
    };
}
