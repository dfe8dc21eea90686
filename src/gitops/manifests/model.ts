/** Typed Kubernetes and Argo CD objects slipway runs, with defaults resolved, each keeping its raw JSON and source line. */

import type { JsonObject } from "../../core/json";

/** Where a manifest document starts: repository-relative file and 1-based line. */
export interface SourcePosition {
  file: string;
  line: number;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type IntOrString = number | string;

export interface KeySelector {
  name: string;
  key: string;
  optional: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeySelector; secretKeyRef?: KeySelector };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional: boolean };
  secretRef?: { name: string; optional: boolean };
}

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ContainerPort {
  containerPort: number;
  name?: string;
  protocol: Protocol;
}

export interface HttpGetAction {
  path: string;
  port: IntOrString;
  host?: string;
  scheme: "HTTP" | "HTTPS";
  httpHeaders: { name: string; value: string }[];
}

export interface Probe {
  httpGet?: HttpGetAction;
  tcpSocket?: { port: IntOrString; host?: string };
  exec?: { command: string[] };
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly: boolean;
  subPath?: string;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: EnvVar[];
  envFrom: EnvFromSource[];
  ports: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  volumeMounts: VolumeMount[];
}

export interface KeyToPath {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  configMap?: { name: string; items: KeyToPath[]; optional: boolean };
  secret?: { secretName: string; items: KeyToPath[]; optional: boolean };
  emptyDir?: Record<string, never>;
}

export interface PodSpec {
  containers: Container[];
  initContainers: Container[];
  volumes: Volume[];
  restartPolicy: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds: number;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: PodSpec;
}

interface ManifestBase {
  apiVersion: string;
  metadata: ObjectMeta;
  source: SourcePosition;
  /** The object as written (after render transforms), for diffing and applying. */
  raw: JsonObject;
}

export interface NamespaceManifest extends ManifestBase {
  kind: "Namespace";
}

export interface DeploymentManifest extends ManifestBase {
  kind: "Deployment";
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
    strategy:
      | { type: "RollingUpdate"; rollingUpdate: { maxSurge: IntOrString; maxUnavailable: IntOrString } }
      | { type: "Recreate" };
    minReadySeconds: number;
    progressDeadlineSeconds: number;
    paused: boolean;
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: IntOrString;
  protocol: Protocol;
  /** NodePort and LoadBalancer Services: the fixed port (30000-32767) the service also answers on. */
  nodePort?: number;
  /** `tcp` is proxied as raw connections; anything else as HTTP. */
  appProtocol?: string;
}

export interface ServiceManifest extends ManifestBase {
  kind: "Service";
  spec: { type: "ClusterIP" | "NodePort" | "LoadBalancer"; selector: Record<string, string>; ports: ServicePort[] };
}

export type PathType = "Prefix" | "Exact" | "ImplementationSpecific";

export interface IngressBackend {
  service: { name: string; port: { number?: number; name?: string } };
}

export interface IngressPath {
  path: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface IngressManifest extends ManifestBase {
  kind: "Ingress";
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules: { host?: string; paths: IngressPath[] }[];
  };
}

export interface ConfigMapManifest extends ManifestBase {
  kind: "ConfigMap";
  data: Record<string, string>;
}

export interface SecretManifest extends ManifestBase {
  kind: "Secret";
  type: string;
  /** Decoded values: `data` (base64) merged with `stringData`, which wins as in Kubernetes. */
  data: Record<string, string>;
}

export interface JobManifest extends ManifestBase {
  kind: "Job";
  spec: {
    template: PodTemplate;
    backoffLimit: number;
    completions: number;
    parallelism: number;
    activeDeadlineSeconds?: number;
  };
}

export interface ApplicationManifest extends ManifestBase {
  kind: "Application";
  spec: {
    project: string;
    source: { repoURL: string; path: string; targetRevision: string; kustomize?: { images: string[] } };
    destination: { name?: string; server?: string; namespace?: string };
    syncPolicy: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
  };
}

export type Manifest =
  | NamespaceManifest
  | DeploymentManifest
  | ServiceManifest
  | IngressManifest
  | ConfigMapManifest
  | SecretManifest
  | JobManifest
  | ApplicationManifest;

export type ManifestKind = Manifest["kind"];

/** The apiVersion each supported kind must carry. */
export const supportedKinds: Record<ManifestKind, string> = {
  Namespace: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  Service: "v1",
  Deployment: "apps/v1",
  Job: "batch/v1",
  Ingress: "networking.k8s.io/v1",
  Application: "argoproj.io/v1alpha1",
};

export function isSupportedKind(kind: string): kind is ManifestKind {
  return Object.hasOwn(supportedKinds, kind);
}

/** Cluster-scoped kinds never get a namespace. */
export function isNamespaced(kind: string): boolean {
  return kind !== "Namespace";
}

/** `Deployment/dev/web`: the identity duplicates and diffs use. */
export function manifestKey(manifest: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${manifest.kind}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
}
