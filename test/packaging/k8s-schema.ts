/**
 * Validates a rendered Kubernetes object against the Kubernetes schemas (npm kubernetes-models)
 * and the Prometheus Operator CRD schemas (@kubernetes-models/prometheus-operator), with
 * unknown fields rejected.
 *
 * The packages' validators are ajv code compiled from the OpenAPI schemas; like the API server
 * they ignore fields the schema does not name. The API server then drops such a field (or,
 * with `kubectl --validate=strict`, refuses it), so a misspelt `scheme` would be lost without a
 * word. We catch that by validating a Proxy of the object: every object whose schema lists
 * properties is read property by property, so an own key the validator never read is a field
 * the schema does not have. Maps (labels, resources) are enumerated by the validator and
 * free-form objects are not read at all: neither is flagged.
 */
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { Pod } from "kubernetes-models/v1/Pod";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";

interface Validatable {
  validate(): void;
}
/** A model class: only its prototype's validate() is used. */
interface ModelClass {
  readonly prototype: Validatable;
}

const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ["v1/ServiceAccount", ServiceAccount],
  ["v1/ConfigMap", ConfigMap],
  ["v1/Secret", Secret],
  ["v1/Service", Service],
  ["v1/Pod", Pod],
  ["apps/v1/Deployment", Deployment],
  ["networking.k8s.io/v1/NetworkPolicy", NetworkPolicy],
  ["monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor],
  ["monitoring.coreos.com/v1/PrometheusRule", PrometheusRule],
]);

interface Visit {
  readonly path: string;
  readonly value: object;
  readonly read: Set<string>;
  enumerated: boolean;
}

/**
 * Schema problems of `object`: the validator's message, and one line per unknown field
 * (`/spec/endpoints/0/schem: unknown field`). Empty when valid.
 */
export function schemaProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS.get(key);
  if (Model === undefined) return [`${key}: no schema known to the test (add its model)`];
  const visits: Visit[] = [];
  const wrap = (value: unknown, at: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    const visit: Visit = { path: at, value, read: new Set(), enumerated: false };
    visits.push(visit);
    return new Proxy(value, {
      get(target, property, receiver) {
        const found: unknown = Reflect.get(target, property, receiver);
        if (typeof property !== "string") return found;
        visit.read.add(property);
        return Object.hasOwn(target, property) ? wrap(found, `${at}/${property}`) : found;
      },
      has(target, property) {
        if (typeof property === "string") visit.read.add(property);
        return Reflect.has(target, property);
      },
      ownKeys(target) {
        visit.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  const copy = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
  const problems: string[] = [];
  try {
    // The model's validate() validates `this`: call it on the Proxy.
    Model.prototype.validate.call(wrap(copy, ""));
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  for (const visit of visits) {
    if (Array.isArray(visit.value) || visit.enumerated || visit.read.size === 0) continue;
    for (const field of Object.keys(visit.value)) {
      if (!visit.read.has(field)) problems.push(`${visit.path}/${field}: unknown field`);
    }
  }
  return problems;
}
